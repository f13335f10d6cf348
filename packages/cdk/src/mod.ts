// @eddy/cdk: the `cdk` command's parts, for tools and tests.
export { main } from './main.ts';
export { generateProject } from './generate.ts';
export type { GenerateOptions } from './generate.ts';
export { startDeployment, shutdownDeployment, listDeployments, readState, supervise, connectorsDir, deploymentDir } from './deployments.ts';
export type { DeploymentState, StartDeployment } from './deployments.ts';
export { CdkError, loadProject, binFor, configIdentity } from './project.ts';
