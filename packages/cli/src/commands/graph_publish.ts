// `eddy graph publish FILE PACKAGE`: a graph operator module (.wasm) as a graph-module package, or a
// graph definition (.yaml) as a graph package, signed with the key `eddy hub login` made and pushed
// to the hub, so graphs can reference them by registry name (docs/hub.md).
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  HubClient, HubError, buildPackage, formatPackageRef, hubPaths, hubRefOfModuleReference, readSigningKey,
  savedCredentials, setVisibility, type PackageKind,
} from '@eddy/hub';
import { parseGraphDefinition } from '@eddy/dataflow';
import { CliError, fileProblem } from '../errors.ts';
import { moduleFromBytes } from './graph_modules.ts';

interface PublishOptions {
  registry?: string;
  public?: boolean;
  description?: string;
  license: string;
}

export function registerGraphPublish(graph: Command): void {
  graph.command('publish')
    .description('sign and push a graph operator module (.wasm) or a graph definition (.yaml) to the hub')
    .argument('<file>', 'a .wasm graph operator module or a .yaml graph definition')
    .argument('<package>', 'GROUP/NAME@VERSION, or a registry reference such as azure-samples/explore-iot-operations/temperature:1.0.0')
    .option('--registry <url>', 'hub registry (default: the reference\'s host, $EDDY_HUB or the recorded hub)')
    .option('--public', 'anyone may download it (default: private, for the group\'s owners)')
    .option('--description <text>', 'package description')
    .option('--license <id>', 'package license', 'Apache-2.0')
    .action(async (file: string, pkgText: string, o: PublishOptions) => {
      try {
        await publish(file, pkgText, o);
      } catch (err) {
        if (err instanceof HubError) throw new CliError(err.message);
        throw err;
      }
    });
}

async function publish(file: string, pkgText: string, o: PublishOptions): Promise<void> {
  const target = hubRefOfModuleReference(pkgText);
  if (target === null) throw new CliError(`'${pkgText}' is not a package name: expected group/name@version or a registry reference like group/name:version`);
  const { ref } = target;
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read '${file}': ${fileProblem(err)}`);
  }
  let kind: PackageKind;
  let fileName: string;
  if (file.endsWith('.wasm')) {
    const m = await moduleFromBytes(`${ref.name}:${ref.version}`, ref.name, ref.version, file, data);
    if (m.operators.size === 0) throw new CliError(`'${file}' is not a graph operator module: it exports no graph_<operator> function`);
    kind = 'graph-module';
    fileName = `${ref.name}.wasm`;
  } else if (/\.ya?ml$/.test(file)) {
    const parsed = parseGraphDefinition(data.toString('utf8'), { file });
    if (!parsed.ok) throw new CliError(`'${file}' is not a graph definition: ${parsed.errors[0]?.text ?? 'it does not parse'}`);
    kind = 'graph';
    fileName = `${ref.name}.yaml`;
  } else {
    throw new CliError(`'${file}' is neither a .wasm module nor a .yaml graph definition`);
  }
  const key = readSigningKey(hubPaths().key);
  const visibility = o.public ? 'public' : 'private';
  const pkg = buildPackage(kind, {
    group: ref.group, name: ref.name, version: ref.version, license: o.license, visibility,
    description: o.description ?? `${kind === 'graph' ? 'graph definition' : 'graph operator module'} from ${path.basename(file)}`,
  }, [{ name: fileName, data }], key);
  const client = new HubClient({ registry: o.registry ?? target.registry ?? undefined });
  const { digest } = await client.publish(pkg);
  await setVisibility(client.oci, savedCredentials(), ref.group, ref.name, visibility);
  process.stdout.write(`published ${formatPackageRef(ref)} (${kind}, ${visibility}) to ${client.registry} as ${digest}\n`);
}
