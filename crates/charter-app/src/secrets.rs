//! Random secrets and the hashes the store keeps in their place.

/// `bytes` random bytes as lower-case hex, for tokens, receipts and private links.
pub fn random_hex(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf)?;
    Ok(hex::encode(buf))
}

/// The stored form of a token or private link: the secret itself is never stored.
pub fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_fresh_hex_and_hashes_are_stable() {
        let (a, b) = (random_hex(24).unwrap(), random_hex(24).unwrap());
        assert_eq!(a.len(), 48);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
    }
}
