//! The pages of the web app.

use std::sync::Arc;

use axum::Router;

use super::App;

/// The pages' routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
}
