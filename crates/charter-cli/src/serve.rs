//! `charter serve`: open the store, optionally load the demo register, and serve.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::{Config, open_store};

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "CHARTER_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Load the demo register (made-up organisations and projects) before serving.
    #[arg(long)]
    pub demo: bool,
    /// The register's public address, for links in email (default: the address listened on).
    #[arg(long, env = "CHARTER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Send email through this mail server, such as
    /// smtp://user:password@mail.example.org:587?tls=required (default: write .eml files to the
    /// outbox folder in the data folder).
    #[arg(long, env = "CHARTER_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Who email comes from.
    #[arg(long, env = "CHARTER_MAIL_FROM", default_value = charter_web::mail::DEFAULT_FROM)]
    pub mail_from: String,
    /// Seconds between housekeeping runs (expired sessions and links, reminders about late
    /// challenges); one instance runs each.
    #[arg(long, env = "CHARTER_HOUSEKEEPING_SECONDS", default_value_t = 3600)]
    pub housekeeping_seconds: u64,
    /// Seconds between looks for reminders to send (what falls due, breach clocks); one
    /// instance sends each reminder.
    #[arg(long, env = "CHARTER_REMINDER_SECONDS", default_value_t = 3600)]
    pub reminder_seconds: u64,
    /// Most connections open at once, in all (never more than the open-file limit allows).
    #[arg(long, env = "CHARTER_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// Most connections open at once from one address; 0 for no limit (behind a proxy, where
    /// every connection comes from the proxy's address).
    #[arg(
        long,
        env = "CHARTER_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256
    )]
    pub max_connections_per_address: usize,
    /// Seconds a client has to send a request's headers; idle connections close after as long.
    #[arg(long, env = "CHARTER_HEADER_TIMEOUT_SECONDS", default_value_t = 10)]
    pub header_timeout_seconds: u64,
    /// Seconds a client has to send a request's whole body.
    #[arg(long, env = "CHARTER_BODY_TIMEOUT_SECONDS", default_value_t = 60)]
    pub body_timeout_seconds: u64,
    /// Serve even when what the register shows does not match its published history (logged as
    /// a warning): for looking into a changed database before restoring it.
    #[arg(long, env = "CHARTER_ALLOW_UNVERIFIED")]
    pub allow_unverified: bool,
}

/// File descriptors kept back from connections: the database, mail, logs, the outbox.
const RESERVED_FILES: u64 = 128;

/// The limits to serve with: the connection cap fits the open-file limit, raised as far as the
/// system allows (a common default of 1,024 files would otherwise let 1,024 idle connections
/// shut everyone else out).
fn limits(args: &ServeArgs) -> charter_web::server::Limits {
    let files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let room = usize::try_from(files.saturating_sub(RESERVED_FILES))
        .unwrap_or(usize::MAX)
        .max(16);
    if args.max_connections > room {
        tracing::warn!(
            asked = args.max_connections,
            allowed = room,
            "the open-file limit allows fewer connections than asked: raise it (ulimit -n) to allow more"
        );
    }
    let second = |s: u64| std::time::Duration::from_secs(s.max(1));
    charter_web::server::Limits {
        max_connections: args.max_connections.clamp(1, room),
        max_connections_per_address: (args.max_connections_per_address > 0)
            .then_some(args.max_connections_per_address),
        header_timeout: second(args.header_timeout_seconds),
        body_timeout: second(args.body_timeout_seconds),
    }
}

/// Deadlines count working days: in a year the bank holidays file does not cover, every weekday
/// would count as one.
fn warn_missing_holidays(calendar: &charter_core::calendar::Calendar) {
    let missing = calendar.missing_years(charter_app::clock::today());
    if !missing.is_empty() {
        let covered = calendar
            .years()
            .map(|y| format!("{}–{}", y.start(), y.end()))
            .unwrap_or_else(|| "none".into());
        tracing::warn!(
            missing = ?missing,
            covered,
            "the bank holidays list does not cover these years, so deadlines count their bank holidays as working days: add them to crates/charter-core/data/bank-holidays/england-and-wales.toml"
        );
    }
}

/// Problems named in the refusal; `charter verify` lists them all.
const SHOWN: usize = 10;

pub async fn run(config: &Config, args: ServeArgs) -> anyhow::Result<()> {
    // Check everything that can be wrong before opening the port.
    let charter = config.charter()?;
    warn_missing_holidays(&charter.calendar);
    let addr: SocketAddr = args.addr.parse().with_context(|| {
        format!(
            "“{}” is not an address to listen on: write it like 127.0.0.1:8080",
            args.addr
        )
    })?;
    let outbox = config.data_dir.join("outbox");
    let mailer = match &args.smtp_url {
        Some(url) => charter_web::mail::Mailer::smtp(url, &args.mail_from),
        None => charter_web::mail::Mailer::outbox_from(outbox.clone(), &args.mail_from),
    }
    .map_err(|e| anyhow::anyhow!("--smtp-url / --mail-from: {e}"))?;
    let store = open_store(config).await?;
    if args.demo {
        let (orgs, projects) = crate::demo::load(store.as_ref()).await?;
        tracing::info!(organisations = orgs, projects, "loaded the demo register");
    }
    let listener = TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr}: is another program using it? Choose another with --addr or CHARTER_ADDR")
    })?;
    let local = listener
        .local_addr()
        .context("cannot read the address listened on")?;
    let keys = crate::optout::load_keys(config)?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    let state = charter_web::AppState::new(store, charter)
        .with_optout(keys, outbox)
        .with_mailer(mailer)
        .with_public_url(&public_url)
        .with_limits(limits(&args));
    if args.smtp_url.is_none() {
        tracing::info!(
            folder = %config.data_dir.join("outbox").display(),
            "no mail server set up: email is written to the outbox folder"
        );
    }
    // The history check reads every published version (about 10 seconds for 100,000 entries),
    // so it runs beside serving rather than before: a register that fails it stops being
    // served within those seconds, and the "running" line is printed only once it has passed.
    // The search index is built first (a few seconds): searches wait for it, and on one core
    // the two would only slow each other down. The jobs on a schedule (housekeeping, reminders,
    // erasure, email) start after it too: their first round used to run beside the build and
    // hold up the first search at start.
    let refused: Arc<Mutex<Option<anyhow::Error>>> = Arc::default();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    {
        let (history, store) = (state.history.clone(), state.store.clone());
        let searches = state.searches.clone();
        let refused = refused.clone();
        let allow_unverified = args.allow_unverified;
        let jobs = ScheduledJobs {
            state: state.clone(),
            public_url,
            housekeeping: std::time::Duration::from_secs(args.housekeeping_seconds.max(1)),
            reminders: std::time::Duration::from_secs(args.reminder_seconds.max(1)),
        };
        tokio::spawn(async move {
            if let Err(e) = searches.catch_up(store.as_ref()).await {
                tracing::warn!(error = %e, "the search index could not be built; the next search tries again");
            }
            jobs.start();
            match first_check(&history, store.as_ref(), allow_unverified).await {
                Ok(()) => println!(
                    "The Charter register is running at http://{local}/ (press Ctrl+C to stop)"
                ),
                Err(e) => {
                    if let Ok(mut refused) = refused.lock() {
                        *refused = Some(e);
                    }
                    let _ = stop.send(());
                }
            }
        });
    }
    let shutdown = async move {
        tokio::select! {
            _ = shutdown_signal() => {}
            Ok(()) = stopped => {}
        }
    };
    charter_web::serve(listener, state, shutdown)
        .await
        .context("the web server stopped")?;
    if let Some(e) = refused.lock().ok().and_then(|mut r| r.take()) {
        return Err(e);
    }
    Ok(())
}

/// What runs on a schedule beside serving, and how often.
struct ScheduledJobs {
    state: charter_web::AppState,
    /// The register's public address, for links in email.
    public_url: String,
    housekeeping: std::time::Duration,
    reminders: std::time::Duration,
}

impl ScheduledJobs {
    fn start(self) {
        let ScheduledJobs {
            state,
            public_url,
            housekeeping,
            reminders,
        } = self;
        charter_app::housekeeping::spawn(state.store.clone(), housekeeping);
        // Reminders about late challenges and questions run on the same schedule.
        charter_app::challenge_reminders::spawn(state.store.clone(), housekeeping);
        // Residents' details are erased on the same schedule, claimed separately.
        charter_app::challenges::erasure::spawn(
            state.store.clone(),
            state.charter.clone(),
            housekeeping,
        );
        charter_app::reminders::spawn(state.store.clone(), state.charter.clone(), reminders);
        if let Some(mailer) = &state.mail {
            charter_app::notices::delivery::spawn(state.store.clone(), mailer.clone(), public_url);
        }
    }
}

/// The check made at start, kept for the pages' footer (which shows it until it is an hour
/// old); an error when the register fails it and failing is not allowed.
async fn first_check(
    history: &charter_app::verify::Checks,
    store: &dyn charter_store::Store,
    allow_unverified: bool,
) -> anyhow::Result<()> {
    let checked = history
        .fresh(store, i64::MAX)
        .await
        .context("cannot check the register against its history")?;
    judge_history(&checked.report, allow_unverified)
}

/// Serving a register whose lists or search disagree with its history would show the public
/// something that was never published: refuse, naming what differs, unless allowed.
fn judge_history(
    report: &charter_app::verify::Report,
    allow_unverified: bool,
) -> anyhow::Result<()> {
    if report.is_intact() {
        return Ok(());
    }
    let mut listed: Vec<String> = report
        .problems
        .iter()
        .take(SHOWN)
        .map(|p| format!("  {p}"))
        .collect();
    if report.problems.len() > SHOWN {
        listed.push(format!(
            "  … and {} more: `charter verify` lists them all",
            report.problems.len() - SHOWN
        ));
    }
    let listed = listed.join("\n");
    let why = crate::verify::failed(report);
    if !allow_unverified {
        anyhow::bail!(
            "refusing to serve: {why}.\n{listed}\nTo serve it as it is while you look into it, start with --allow-unverified (or CHARTER_ALLOW_UNVERIFIED=true)."
        );
    }
    tracing::warn!(
        "SERVING A REGISTER THAT FAILS VERIFICATION (--allow-unverified): {why}\n{listed}"
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("stopping");
}
