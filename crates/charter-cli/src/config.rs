//! Settings shared by every command: where the data lives and which charter file to use. Each
//! can be set by a flag or an environment variable.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use charter_core::charter::Charter;
use charter_store::Store;
use charter_store_postgres::PostgresStore;
use charter_store_sqlite::SqliteStore;

/// The charter shipped with the program, used unless `--charter-file` says otherwise.
pub const DEFAULT_CHARTER: &str = include_str!("../../../charter/charter.toml");

#[derive(clap::Args, Debug, Clone)]
pub struct Config {
    /// Folder for the database and other files.
    #[arg(long, env = "CHARTER_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Database address, such as sqlite:data/charter.sqlite. Default: charter.sqlite in the data folder.
    #[arg(long, env = "CHARTER_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// A charter TOML file to use instead of the one built in.
    #[arg(long, env = "CHARTER_CHARTER_FILE", global = true)]
    pub charter_file: Option<PathBuf>,
}

impl Config {
    pub fn database_url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => {
                let path = self.data_dir.join("charter.sqlite");
                Ok(format!("sqlite:{}", path.display()))
            }
        }
    }

    pub fn charter(&self) -> anyhow::Result<Charter> {
        match &self.charter_file {
            None => Charter::from_toml(DEFAULT_CHARTER).context("the built-in charter file"),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the charter file {}", path.display()))?;
                Charter::from_toml(&text)
                    .with_context(|| format!("in the charter file {}", path.display()))
            }
        }
    }
}

/// Opens the configured store, creating the data folder for the default SQLite file.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let url = config.database_url()?;
    if url.starts_with("sqlite:") && config.database_url.is_none() {
        // The folder holds the database, the opt-out secret and the mail outbox: its owner's
        // alone.
        #[cfg(unix)]
        let created = {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&config.data_dir)
        };
        #[cfg(not(unix))]
        let created = std::fs::create_dir_all(&config.data_dir);
        created.with_context(|| {
            format!(
                "cannot create the data folder {}",
                config.data_dir.display()
            )
        })?;
        owner_only(&config.data_dir)?;
    }
    open_url(&url).await
}

/// Takes away other users' access to a data folder made before (or by hand) that allows it: it
/// holds the database, the opt-out secret and email with one-time links.
fn owner_only(folder: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(folder)
            .with_context(|| format!("cannot read the data folder {}", folder.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700)).with_context(
                || {
                    format!(
                        "the data folder {} can be read by other users of this machine, and cannot be made private: run chmod 700 on it",
                        folder.display()
                    )
                },
            )?;
            tracing::warn!(folder = %folder.display(), "the data folder could be read by other users: it is now the owner's alone (700)");
        }
    }
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

/// Opens a store by its address: `sqlite:` or `postgres:` (also `postgresql:`).
pub async fn open_url(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        bail!(
            "“{url}” is not a database address this program knows: it must start with sqlite: or postgres:"
        )
    }
}
