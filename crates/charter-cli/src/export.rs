//! `charter export`: the same files as the website's downloads, to a file or standard output.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use charter_app::export::{Exporter, Format};

use crate::config::{Config, open_store};

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    Csv,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// File to write; standard output if not given. The file appears only when complete.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub async fn run(config: &Config, args: ExportArgs) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let format = match args.format {
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
    };
    let mut exporter = Exporter::new(store, format).await?;
    match &args.out {
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            while let Some(chunk) = exporter.next_chunk().await? {
                out.write_all(&chunk)
                    .context("cannot write to standard output")?;
            }
            out.flush().context("cannot write to standard output")?;
        }
        Some(path) => {
            // Write beside the target, then rename: a reader never sees half a file.
            let tmp = path.with_extension("partial");
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(&tmp)
                    .with_context(|| format!("cannot create {}", tmp.display()))?,
            );
            while let Some(chunk) = exporter.next_chunk().await? {
                file.write_all(&chunk)
                    .with_context(|| format!("cannot write {}", tmp.display()))?;
            }
            file.into_inner()
                .map_err(|e| e.into_error())
                .and_then(|f| f.sync_all())
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))?;
            eprintln!("Wrote {}", path.display());
        }
    }
    Ok(())
}
