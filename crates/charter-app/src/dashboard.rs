//! The dashboard: the register's figures over time, for the region or one organisation, as they
//! were on any day up to today. The figures come from the published history
//! (`charter_store::dashboard` keeps its sums up with it before each read).

use charter_core::charter::Charter;
use charter_core::dashboard::{REGION, SeriesValues, Timeline, series};
use charter_core::{Date, Slug};
use charter_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{AppError, AppResult};

pub mod moderators;

// The API's schema is named after this type and described by its doc comment.
/// The register's figures over time: every chart's values at the end of months spread over the
/// history, and on the day asked for (the last row).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    /// The day the figures are shown as they were on.
    pub on: Date,
    /// The organisation the figures are for; none for the whole region.
    pub organisation: Option<DashboardOrganisation>,
    pub series: Vec<SeriesValues>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardOrganisation {
    pub slug: Slug,
    pub name: String,
}

/// The day asked for (`?on=`), today when none: a date that has been.
pub fn day_asked(text: Option<&str>, today: Date) -> AppResult<Date> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(today);
    };
    let day: Date = text
        .parse()
        .map_err(|e: charter_core::date::DateError| AppError::invalid("on", e.to_string()))?;
    if day > today {
        return Err(AppError::invalid(
            "on",
            format!(
                "{} has not happened yet. Choose today, {}, or a day before it.",
                day.long(),
                today.long()
            ),
        ));
    }
    Ok(day)
}

/// The figures for the region, or for one organisation, on `on` and before it.
pub async fn dashboard(
    store: &dyn Store,
    charter: &Charter,
    organisation: Option<&Slug>,
    on: Date,
) -> AppResult<Dashboard> {
    let organisation = match organisation {
        None => None,
        Some(slug) => {
            let org = store
                .organisation_record(slug)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("organisation “{slug}”")))?;
            Some(DashboardOrganisation {
                slug: org.slug,
                name: org.name,
            })
        }
    };
    charter_store::dashboard::catch_up(store, charter).await?;
    let scope = organisation.as_ref().map_or(REGION, |o| o.slug.as_str());
    // Answers to residents on time are kept with each item, not in the published history.
    let sums = charter_core::challenge_counts::with_answers(
        store.dashboard_sums(scope, on).await?,
        store.challenge_answer_sums(scope, on).await?,
    );
    let mut timeline = Timeline::new(&sums, on);
    let months = timeline.months();
    timeline.add_month_figures(&store.dashboard_breach_sums(scope, &months, on).await?);
    Ok(Dashboard {
        on,
        organisation,
        series: series(charter)
            .iter()
            .map(|s| s.values(&timeline))
            .collect(),
    })
}

/// Counts what was published since the sums were last brought up to date (`charter generate`
/// does so once at the end, so the first visit does not).
pub async fn catch_up(store: &dyn Store, charter: &Charter) -> AppResult<()> {
    Ok(charter_store::dashboard::catch_up(store, charter).await?)
}

/// Where the dashboard's stored sums differ from a recount of the history (for `charter
/// verify`); counts what was published since first, so the two cover the same versions.
pub async fn differences(store: &dyn Store, charter: &Charter) -> AppResult<Vec<String>> {
    charter_store::dashboard::catch_up(store, charter).await?;
    Ok(charter_store::dashboard::differences(store, charter).await?)
}

#[cfg(test)]
mod tests {
    use charter_core::dashboard::Unit;
    use charter_store::fixtures::small_register;
    use charter_store::prelude::*;

    use super::*;
    use crate::testing;

    fn charter() -> Charter {
        Charter::from_toml(include_str!("../../../charter/charter.toml")).unwrap()
    }

    #[test]
    fn the_day_asked_must_be_a_date_that_has_been() {
        let today: Date = "2026-12-06".parse().unwrap();
        assert_eq!(day_asked(None, today).unwrap(), today);
        assert_eq!(day_asked(Some(" "), today).unwrap(), today);
        assert_eq!(
            day_asked(Some("2020-02-29"), today).unwrap().to_string(),
            "2020-02-29"
        );
        for (bad, says) in [
            ("2021-02-29", "is not a date"),
            ("yesterday", "is not a date"),
            ("2026-12-07", "has not happened yet"),
        ] {
            match day_asked(Some(bad), today) {
                Err(AppError::Invalid(p)) => {
                    assert_eq!(p[0].field, "on");
                    assert!(p[0].message.contains(says), "{bad}: {}", p[0].message);
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn figures_are_read_as_they_were_on_the_day_asked() {
        let store = testing::store().await;
        let (orgs, projects) = small_register();
        for o in &orgs {
            store.organisation_put(o).await.unwrap();
        }
        store
            .projects_publish(
                &projects,
                "Published",
                &"2026-11-30T12:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        let c = charter();
        let on = |s: &str| s.parse::<Date>().unwrap();
        let before = dashboard(&store, &c, None, on("2026-11-29")).await.unwrap();
        let after = dashboard(&store, &c, None, on("2026-12-01")).await.unwrap();
        let total = |d: &Dashboard| -> i64 {
            let status = &d.series[0];
            assert_eq!(status.unit, Unit::Entries);
            status.rows.last().unwrap().values.iter().flatten().sum()
        };
        assert_eq!(total(&before), 0);
        assert_eq!(total(&after), projects.len() as i64);

        let org = &projects[0].organisation;
        let one = dashboard(&store, &c, Some(org), on("2026-12-01"))
            .await
            .unwrap();
        let mine = projects.iter().filter(|p| p.organisation == *org).count();
        assert_eq!(total(&one), mine as i64);
        assert_eq!(one.organisation.unwrap().slug, *org);

        let nobody: Slug = "no-such-org".parse().unwrap();
        assert!(matches!(
            dashboard(&store, &c, Some(&nobody), on("2026-12-01")).await,
            Err(AppError::NotFound(_))
        ));
        assert!(differences(&store, &c).await.unwrap().is_empty());
    }
}
