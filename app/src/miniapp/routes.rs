//! The Mini App's pages that a first launch does not open load on demand (`crate::lazy_pages`):
//! the main wasm carries the home and theory pages, what a launch from the bot or from a link
//! shows first. The test and result pages are fetched in the background once the app is live
//! ([`prefetch_next_steps`]), so "Go to test" seldom waits for them; opened directly (a test
//! resumed after the app was closed) the server names their chunks in the page and the browser
//! fetches them beside the main wasm.

use crate::lazy_pages::lazy_pages;

lazy_pages! {
    TestRoute => crate::miniapp::TestPage,
    ResultRoute => crate::miniapp::ResultPage,
    HistoryRoute => crate::miniapp::pages::HistoryPage,
    ReviewRoute => crate::miniapp::pages::ReviewPage,
    TeamRoute => crate::team::pages::TeamPage,
    TeamPersonRoute => crate::team::pages::TeamPersonPage,
    AchievementsRoute => crate::gamification::pages::AchievementsPage,
    RatingRoute => crate::gamification::pages::RatingPage,
    PersonAchievementsRoute => crate::gamification::pages::UserAchievementsPage,
    MiniSettingsRoute => crate::notifications::pages::MiniSettingsPage,
    DevSignInRoute => crate::dev::DevSignIn,
}

/// Fetches the test and result pages' code while the person reads (after hydration, so it
/// never competes with the first screen's download).
pub fn prefetch_next_steps() {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async {
        use leptos_router::LazyRoute;
        TestRoute::preload().await;
        ResultRoute::preload().await;
    });
}
