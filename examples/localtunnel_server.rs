//! A localtunnel server for trying `prhook serve --use-tunnel` without the
//! internet: the `localtunnel-server` crate (a dev-dependency) with its
//! public URLs under `localhost`.
//!
//! ```sh
//! cargo run --example localtunnel_server -- 4000 4001
//! ```
//!
//! The first port serves the registration API, the second the proxied
//! requests, which reach a tunnel at `http://SUBDOMAIN.localhost:4001`.
//! NOTE: the crate binds both ports on 0.0.0.0 (all interfaces), so other
//! machines on the network can reach them. Run it only where that is acceptable.

fn main() {
    let ports: Vec<u16> = std::env::args().skip(1).map(|arg| arg.parse().expect("ports are numbers")).collect();
    let [api_port, proxy_port] = ports[..] else {
        eprintln!("usage: localtunnel_server API_PORT PROXY_PORT");
        std::process::exit(2);
    };
    let config = localtunnel_server::ServerConfig {
        domain: format!("localhost:{proxy_port}"),
        api_port,
        secure: false,
        max_sockets: 10,
        proxy_port,
        require_auth: false,
    };
    println!("localtunnel server: API on port {api_port}, tunnels at http://SUBDOMAIN.localhost:{proxy_port}");
    let runtime = tokio::runtime::Runtime::new().expect("the tokio runtime starts");
    if let Err(error) = runtime.block_on(localtunnel_server::start(config)) {
        eprintln!("localtunnel_server: {error:#}");
        std::process::exit(1);
    }
}
