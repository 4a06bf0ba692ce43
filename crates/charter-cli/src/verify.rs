//! `charter verify`: recomputes the register's hash chain from the database and names the first
//! broken link; also checks that every entry shown is its latest published version.

use std::collections::HashMap;

use anyhow::bail;
use charter_core::ProjectId;
use charter_core::chain::{Hash, Verifier, canonical_json, content_hash};

use crate::config::{Config, open_store};

const BATCH: u32 = 1_000;

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let mut verifier = Verifier::new();
    let mut latest: HashMap<ProjectId, Hash> = HashMap::new();
    let mut after = 0;
    loop {
        let batch = store.log(after, BATCH).await?;
        let Some((last, _)) = batch.last() else { break };
        after = last.seq;
        for (link, content) in &batch {
            if let Err(broken) = verifier.check(link, content) {
                bail!("the register's history has been changed: {broken}");
            }
            latest.insert(link.project, link.content_hash);
        }
    }
    if let Some(stored) = store.chain_head().await?
        && verifier.head() != Some(&stored)
    {
        bail!(
            "the register's head is link {} but the chain ends elsewhere",
            stored.seq
        );
    }
    // What the register shows must be what was published.
    let mut shown = 0;
    let mut after = None;
    loop {
        let batch = store.projects_after(after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for p in &batch {
            shown += 1;
            match latest.get(&p.id) {
                None => bail!("{} is on the register but was never published", p.id),
                Some(h) if *h != content_hash(&canonical_json(p)) => {
                    bail!(
                        "{} as shown differs from its latest published version",
                        p.id
                    )
                }
                Some(_) => {}
            }
        }
    }
    match verifier.head() {
        None => println!("Nothing has been published yet: the history is empty."),
        Some(head) => println!(
            "The register's history is intact: {} published versions of {shown} entries, head {}.",
            verifier.checked, head.hash
        ),
    }
    Ok(())
}
