//! Command-line definitions (clap derive). The binary parses these and
//! hands them to the library's `run_*` functions.

use crate::config::TunnelService;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "prhook", version, about = "Receive pull-request webhooks, verify them, store them durably and run PR automation")]
#[command(propagate_version = true)]
pub struct Cli {
    /// Configuration file [default: ./prhook.toml when it exists]
    #[arg(long, global = true, env = "PRHOOK_CONFIG", hide_env_values = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log line format
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "PRHOOK_LOG_FORMAT", hide_env_values = true)]
    pub log_format: LogFormat,

    /// More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Less log output (-q warnings and errors only, -qq errors only)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "verbose")]
    pub quiet: u8,

    /// When to color output; NO_COLOR in the environment means never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the webhook receiver until SIGINT or SIGTERM
    Serve(ServeArgs),
    /// Print the shell completion script (for packaging)
    #[command(hide = true)]
    Completions {
        /// Shell to print the script for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Check the configuration as serve loads it and report each problem with its line
    ///
    /// Exit codes: 0 valid, 1 errors (or warnings with --deny-warnings), 2 the file could not be read.
    CheckConfig(CheckConfigArgs),
    /// Build a realistic delivery for a provider and event, sign it as the provider would and send it
    Simulate(crate::simulate::SimulateArgs),
    /// Check a captured delivery's signature, token or credentials offline
    VerifySignature(crate::verify_signature::VerifySignatureArgs),
    /// List, show and replay stored deliveries, also while serve runs
    Deliveries(crate::deliveries::DeliveriesArgs),
    /// Expose a local port that is already listening through ngrok or localtunnel
    Tunnel(TunnelArgs),
}

#[derive(Debug, Args)]
pub struct CheckConfigArgs {
    /// Report format: text for people, json for CI annotations
    #[arg(long, value_enum, default_value_t = crate::commands::check_config::ReportFormat::Text)]
    pub format: crate::commands::check_config::ReportFormat,

    /// Exit 1 when there are warnings, not only errors
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, overriding server.listen [default: 127.0.0.1:3000, or server.listen]
    #[arg(long, env = "PRHOOK_LISTEN", hide_env_values = true, value_name = "ADDR")]
    pub listen: Option<String>,

    /// Directory of the store, lock and generated secrets, overriding server.data_dir [default: .prhook, or server.data_dir]
    #[arg(long, env = "PRHOOK_DATA_DIR", hide_env_values = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Open a tunnel to the listener and print its public webhook URLs
    #[arg(long)]
    pub use_tunnel: bool,

    /// Tunnel service, overriding TUNNEL_SERVICE and tunnel.service [default: ngrok]
    #[arg(long, value_name = "SERVICE", requires = "use_tunnel", value_parser = tunnel_service_parser())]
    pub tunnel_service: Option<TunnelService>,
}

#[derive(Debug, Args)]
pub struct TunnelArgs {
    /// Tunnel service, overriding TUNNEL_SERVICE and tunnel.service [default: ngrok]
    #[arg(long, value_name = "SERVICE", value_parser = tunnel_service_parser())]
    pub service: Option<TunnelService>,

    /// Local port to expose [default: the port of server.listen]
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
}

fn tunnel_service_parser() -> impl TypedValueParser<Value = TunnelService> {
    PossibleValuesParser::new(["ngrok", "localtunnel"])
        .map(|name| TunnelService::parse(&name).expect("clap admits only known service names"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Tells whether to color a stream, honouring `NO_COLOR`.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
