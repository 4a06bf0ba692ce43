use charter_optout::*;
use std::time::Instant;
fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let pk: RegisterPublicKey = std::fs::read_to_string(&a[1]).unwrap().parse().unwrap();
    let snap = Snapshot::open(&std::fs::read(&a[0]).unwrap(), &pk, &"bench-org".parse().unwrap(), time::OffsetDateTime::now_utc()).unwrap();
    let data = std::fs::read(&a[2]).unwrap();
    for _ in 0..2 {
        for threads in [1usize, 2, 3] {
            let t = Instant::now();
            let m = filter(&snap, &[Scope::AiTraining], "nhs_number", &data[..], std::io::sink(), std::io::sink(), threads, |_| {}).unwrap();
            println!("threads {threads}: {:.2} s ({} kept)", t.elapsed().as_secs_f64(), m.rows_kept);
        }
    }
}
