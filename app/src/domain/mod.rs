//! Domain types and rules: plain Rust, no HTTP, no database, no browser.
//! Everything here compiles for the browser too, so forms run the same checks as the server.

pub mod actor;
pub mod api_keys;
pub mod attempt;
pub mod audit;
pub mod certification;
pub mod client_ip;
pub mod compliance;
pub mod delivery;
pub mod events;
pub mod gamification;
pub mod ids;
pub mod integrity;
pub mod notifications;
pub mod permissions;
pub mod progress;
pub mod question;
pub mod rates;
#[cfg(feature = "ssr")]
pub mod scim;
pub mod scope;
pub mod stats;
pub mod throttle;
pub mod time;
pub mod upload;
pub mod user;
pub mod webhooks;
#[cfg(feature = "ssr")]
pub mod xapi;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod init_data;

pub use ids::*;
pub use time::Timestamp;
