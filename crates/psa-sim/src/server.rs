//! The accept loop. Connections are served by hand (not `axum::serve`) so that a fault can close
//! a connection without answering, which is what a client sees when a network drops.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper::service::Service as _;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinSet;

/// Lets a request close its own connection without a response.
#[derive(Clone)]
pub(crate) struct ConnAbort(Arc<Notify>);

impl ConnAbort {
    /// Closes the connection this request came on; never completes, because the connection task
    /// drops this request's future with the connection.
    pub async fn abort(&self) -> Response {
        self.0.notify_one();
        std::future::pending().await
    }
}

/// Serves `router` on `listener` until `shutdown` fires (or its sender is dropped).
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    mut shutdown: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, router.clone()));
                }
                Err(e) => {
                    // Accept fails on resource exhaustion (e.g. too many open files); pausing
                    // briefly keeps the loop from spinning while it lasts.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
        while connections.try_join_next().is_some() {}
    }
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, router: Router) {
    let abort = ConnAbort(Arc::new(Notify::new()));
    let aborted = abort.0.clone();
    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(abort.clone());
        TowerToHyperService::new(router.clone()).call(req)
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        () = aborted.notified() => tracing::debug!("connection closed without a response"),
    }
}
