//! Static assets and response compression. `/pkg/*` (the wasm, js and css cargo-leptos builds)
//! is served with the brotli or gzip copy made at build time when the client takes it
//! (`cargo leptos build --release --precompress`), never compressed per request; with hashed
//! names (hash.txt beside the binary) it is `immutable` for a year, otherwise it revalidates
//! (`no-cache` and `Last-Modified`). HTML and JSON of a kilobyte or more are compressed per
//! response, at a level fast enough for every request.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use leptos::config::LeptosOptions;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::services::ServeDir;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// `/<site-pkg-dir>` for the router.
pub fn pkg<S: Clone + Send + Sync + 'static>(leptos: &LeptosOptions) -> (String, Router<S>) {
    let dir = std::path::Path::new(leptos.site_root.as_ref()).join(leptos.site_pkg_dir.as_ref());
    let cache = HeaderValue::from_static(if leptos.hash_files {
        IMMUTABLE
    } else {
        REVALIDATE
    });
    let router = Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(axum::middleware::map_response_with_state(
            cache,
            cache_headers,
        ));
    (format!("/{}", leptos.site_pkg_dir), router)
}

/// The cache rule on files found only: a 404 for a name another instance has not got yet
/// (a rolling deploy) must not be kept for a year. `Vary`, since the same URL answers br, gzip
/// or plain by `Accept-Encoding` and shared caches must keep them apart.
async fn cache_headers(State(cache): State<HeaderValue>, mut res: Response) -> Response {
    let ok = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        if ok {
            cache
        } else {
            HeaderValue::from_static("no-store")
        },
    );
    h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

/// Below this many bytes a response goes out as it is: it fits in one TCP segment either way,
/// and a brotli encoder costs more to set up (its hash tables) than the few bytes it saves.
/// Most of the Mini App's requests (an answer, a heartbeat, a page shown) are such.
pub const COMPRESS_FROM_BYTES: u16 = 1024;

/// Brotli or gzip for what is generated per request (pages, server functions, the APIs); the
/// wasm is left to its build-time copies (compressing megabytes per request costs more than
/// it saves on a fast link, and the release build has them).
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(4))
        .compress_when(
            SizeAbove::new(COMPRESS_FROM_BYTES)
                .and(NotForContentType::GRPC)
                .and(NotForContentType::IMAGES)
                .and(NotForContentType::SSE)
                .and(NotForContentType::const_new("application/wasm")),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use tower::ServiceExt;

    fn site(hash_files: bool) -> (LeptosOptions, std::path::PathBuf) {
        let root =
            std::env::temp_dir().join(format!("attest-assets-{}-{hash_files}", std::process::id()));
        let pkg = root.join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("attest.0a1b.wasm"), b"\0asm plain").unwrap();
        std::fs::write(pkg.join("attest.0a1b.wasm.br"), b"brotli bytes").unwrap();
        std::fs::write(pkg.join("attest.0a1b.wasm.gz"), b"gzip bytes").unwrap();
        let options = LeptosOptions::builder()
            .output_name("attest")
            .site_root(root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .hash_files(hash_files)
            .build();
        (options, root)
    }

    async fn get(
        router: Router,
        path: &str,
        encoding: Option<&str>,
    ) -> (axum::http::HeaderMap, Vec<u8>) {
        let mut req = Request::get(path);
        if let Some(e) = encoding {
            req = req.header(header::ACCEPT_ENCODING, e);
        }
        let res = router
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let headers = res.headers().clone();
        (
            headers,
            to_bytes(res.into_body(), 1 << 20).await.unwrap().to_vec(),
        )
    }

    #[tokio::test]
    async fn the_build_time_copy_is_served_and_hashed_names_are_immutable() {
        let (options, root) = site(true);
        let (path, pkg) = pkg::<()>(&options);
        let router = Router::new().nest(&path, pkg);
        let (h, body) = get(router.clone(), "/pkg/attest.0a1b.wasm", Some("br, gzip")).await;
        assert_eq!(h[header::CONTENT_ENCODING], "br");
        assert_eq!(body, b"brotli bytes");
        assert_eq!(h[header::CACHE_CONTROL], IMMUTABLE);
        assert_eq!(h[header::CONTENT_TYPE], "application/wasm");
        let (h, body) = get(router.clone(), "/pkg/attest.0a1b.wasm", Some("gzip")).await;
        assert_eq!(h[header::CONTENT_ENCODING], "gzip");
        assert_eq!(body, b"gzip bytes");
        let (h, body) = get(router.clone(), "/pkg/attest.0a1b.wasm", None).await;
        assert!(h.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(body, b"\0asm plain");
        assert_eq!(h[header::VARY], "accept-encoding");
        let missing = router
            .oneshot(
                Request::get("/pkg/attest.new.wasm")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
        assert_eq!(
            missing.headers()[header::CACHE_CONTROL],
            "no-store",
            "a 404 is not kept"
        );
        std::fs::remove_dir_all(root).unwrap();
    }

    #[tokio::test]
    async fn plain_names_revalidate() {
        let (options, root) = site(false);
        let (path, pkg) = pkg::<()>(&options);
        let (h, _) = get(
            Router::new().nest(&path, pkg),
            "/pkg/attest.0a1b.wasm",
            None,
        )
        .await;
        assert_eq!(h[header::CACHE_CONTROL], REVALIDATE);
        assert!(
            h.get(header::LAST_MODIFIED).is_some(),
            "so a revalidation can answer 304"
        );
        std::fs::remove_dir_all(root).unwrap();
    }
}
