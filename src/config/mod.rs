pub mod providers;
pub mod secret;

pub use providers::{AzureDevopsConfig, BitbucketServerConfig, GithubConfig, GitlabConfig};

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub github: GithubConfig,
    pub gitlab: GitlabConfig,
    pub azure_devops: AzureDevopsConfig,
    pub bitbucket_server: BitbucketServerConfig,
}
