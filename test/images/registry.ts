// A real OCI registry for tests: Debian's docker-registry on 127.0.0.1, and images
// pushed into it by a real client (skopeo) from an OCI image layout we write.
// Kernel images follow cilium/ci-kernels: an index with one image per platform
// (linux/amd64, linux/arm64), each a single layer holding /boot/vmlinuz (and here
// also the kernel's /boot/config-<release>, which portmatrix reads facts from).

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export async function need(tool: string, pkg: string): Promise<void> {
  await run('sh', ['-c', `command -v ${tool}`]).catch(() => {
    throw new Error(`${tool} is required for this test: apt-get install -y --no-install-recommends ${pkg}`);
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Registry {
  port: number;
  /** Scratch dir of this registry (storage, layouts). */
  dir: string;
  stop(): Promise<void>;
}

export async function startRegistry(): Promise<Registry> {
  await need('docker-registry', 'docker-registry');
  await need('skopeo', 'skopeo');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-oci-'));
  const port = await freePort();
  await writeFile(
    path.join(dir, 'registry.yml'),
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/storage\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'registry.yml')], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/v2/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 100) throw new Error('docker-registry did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    dir,
    stop: async () => {
      child.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface PlatformImage {
  arch: 'amd64' | 'arm64' | 's390x';
  /** The kernel image bytes' file. */
  vmlinuz: string;
  /** Its config file, stored as /boot/config-<release>. */
  config?: { path: string; release: string };
}

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** Writes an OCI layout whose index has one image per platform; returns the layout dir. */
async function writeLayout(dir: string, tag: string, platforms: PlatformImage[]): Promise<string> {
  const layout = path.join(dir, `layout-${sha(tag + dir).slice(0, 8)}`);
  const blobs = path.join(layout, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (b: Buffer) => {
    await writeFile(path.join(blobs, sha(b)), b);
    return { digest: `sha256:${sha(b)}`, size: b.length };
  };
  const manifests = [];
  for (const p of platforms) {
    const root = await mkdtemp(path.join(dir, 'root-'));
    await mkdir(path.join(root, 'boot'));
    await copyFile(p.vmlinuz, path.join(root, 'boot', 'vmlinuz'));
    if (p.config) await copyFile(p.config.path, path.join(root, 'boot', `config-${p.config.release}`));
    const tgz = `${root}.tgz`;
    await run('tar', ['-czf', tgz, '-C', root, 'boot']);
    const layer = await put(await readFile(tgz));
    const config = await put(Buffer.from(JSON.stringify({ architecture: p.arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    );
    manifests.push({ mediaType: MANIFEST, ...(await put(manifest)), platform: { os: 'linux', architecture: p.arch } });
  }
  await writeFile(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests };
  const indexBlob = await put(Buffer.from(JSON.stringify(index)));
  await writeFile(
    path.join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          ...indexBlob,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return layout;
}

/** Pushes a multi-platform kernel image as <repo>:<tag>; returns its `oci:` source. */
export async function pushKernelImage(reg: Registry, repo: string, tag: string, platforms: PlatformImage[]): Promise<string> {
  const layout = await writeLayout(reg.dir, tag, platforms);
  await run('skopeo', ['copy', '--all', '--dest-tls-verify=false', `oci:${layout}:${tag}`, `docker://127.0.0.1:${reg.port}/${repo}:${tag}`]);
  return `oci:127.0.0.1:${reg.port}/${repo}:${tag}`;
}
