use clap::Parser;
use prhook::cli::{Cli, Command};
use prhook::config::Overrides;
use prhook::serve::{load_config, run_serve};

fn main() {
    let cli = Cli::parse();
    prhook::logging::init(cli.log_format, cli.verbose, cli.quiet, cli.color);
    let result = match cli.command {
        Command::Serve(args) => {
            let overrides = Overrides { listen: args.listen, data_dir: args.data_dir };
            load_config(cli.config.as_deref(), &overrides).and_then(|config| runtime().block_on(run_serve(config))).map(|()| 0)
        }
        Command::Simulate(args) => prhook::simulate::run_simulate(args, cli.config.as_deref(), cli.color),
        Command::VerifySignature(args) => {
            prhook::verify_signature::run_verify_signature(args, cli.config.as_deref(), cli.color, cli.verbose)
        }
    };
    match result {
        Ok(0) => {}
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("prhook: {error}");
            std::process::exit(error.code);
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("the tokio runtime starts")
}

