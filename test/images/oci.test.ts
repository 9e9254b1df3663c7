// oci: kernels end to end: Debian's docker-registry on 127.0.0.1, an image pushed
// by a real client (skopeo, from an OCI layout we write), pulled by portmatrix,
// digests checked, the manifest digest recorded in the lock; then the same through
// a proxy that demands the anonymous Bearer token flow. Real kernels booted from
// such a registry: oci-kernels.vm.test.ts.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageStore } from '../../src/images/store.js';
import { type Registry, sha, startRegistry } from './registry.js';

const run = promisify(execFile);

/** A bzImage-shaped placeholder: 'HdrS' at 0x202 and a version string the header points to. */
function fakeBzImage(release: string): Buffer {
  const b = Buffer.alloc(0x1000);
  b.write('HdrS', 0x202, 'latin1');
  b.writeUInt16LE(0x400, 0x20e); // kernel_version offset, relative to 0x200
  b.write(`${release} (test@example) #1 SMP`, 0x600, 'latin1');
  return b;
}

let tmp: string;
let registry: Registry;
let port: number;
let kernel: Buffer;

beforeAll(async () => {
  registry = await startRegistry();
  port = registry.port;
  tmp = registry.dir;

  // An OCI image layout (image-layout spec) with one gzip layer holding /boot/vmlinuz and /boot/config.
  kernel = fakeBzImage('6.6.66-test');
  const root = path.join(tmp, 'root', 'boot');
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, 'vmlinuz'), kernel);
  await writeFile(path.join(root, 'config-6.6.66-test'), 'CONFIG_DEBUG_INFO_BTF=y\nCONFIG_HZ=1000\nCONFIG_BPF_JIT=y\n');
  const layout = path.join(tmp, 'layout');
  await mkdir(path.join(layout, 'blobs', 'sha256'), { recursive: true });
  await run('tar', ['-czf', path.join(tmp, 'layer.tgz'), '-C', path.join(tmp, 'root'), 'boot']);
  const layer = await readFile(path.join(tmp, 'layer.tgz'));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${sha(config)}`,
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: `sha256:${sha(layer)}`,
          size: layer.length,
        },
      ],
    }),
  );
  for (const b of [layer, config, manifest]) await writeFile(path.join(layout, 'blobs', 'sha256', sha(b)), b);
  await writeFile(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    path.join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${sha(manifest)}`,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'v1' },
        },
      ],
    }),
  );
  await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://127.0.0.1:${port}/kernels/test:v1`]);
}, 120_000);

afterAll(async () => registry?.stop());

describe('oci: kernels', () => {
  it('pulls, verifies, records the manifest digest, and pulls again with zero requests', async () => {
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://127.0.0.1:${port}/kernels/test:v1`]);
    const digest = stdout.trim();
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const opts = {
      env: process.env,
      cacheDir: path.join(tmp, 'cache'),
      debianMirror: 'http://unused.invalid',
      lockFile: path.join(tmp, 'portmatrix.lock'),
    };
    const source = `oci:127.0.0.1:${port}/kernels/test:v1`;
    const s = createImageStore(opts);
    const k = await s.kernel(source, 'amd64');
    expect(k.release).toBe('6.6.66-test');
    expect(k.downloaded).toBe(true);
    expect(k.sha256).toBe(sha(kernel));
    expect(await readFile(k.kernelPath)).toEqual(kernel);
    expect(k.facts).toMatchObject({ btf: true, hz: 1000, bpfJit: true });
    const lock = JSON.parse(await readFile(opts.lockFile, 'utf8'));
    expect(lock.kernels[`${source} amd64`]).toMatchObject({ manifestDigest: digest, kernelSha256: sha(kernel) });

    const again = createImageStore(opts);
    const cached = await again.kernel(source, 'amd64');
    expect([cached.sha256, cached.downloaded]).toEqual([k.sha256, false]);
    expect(again.requests()).toBe(0);
  });

  it('refuses a kernel whose header says another arch', async () => {
    const s = createImageStore({
      env: process.env,
      cacheDir: path.join(tmp, 'cache2'),
      debianMirror: 'http://unused.invalid',
    });
    await expect(s.kernel(`oci:127.0.0.1:${port}/kernels/test:v1`, 'arm64')).rejects.toThrow(/holds a amd64 kernel/);
  });

  it('follows the anonymous Bearer token flow', async () => {
    const seen: string[] = [];
    const proxy: Server = createServer(async (req, res) => {
      seen.push(`${req.url} ${req.headers.authorization ?? '-'}`);
      const self = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
      if (req.url?.startsWith('/token?')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t0k"}');
      if (req.headers.authorization !== 'Bearer t0k') {
        return void res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="${self}/token",service="test",scope="repository:kernels/test:pull"`,
          })
          .end();
      }
      const up = await fetch(`http://127.0.0.1:${port}${req.url}`, {
        headers: { accept: String(req.headers.accept ?? '*/*') },
      });
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(Buffer.from(await up.arrayBuffer()));
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const p = (proxy.address() as { port: number }).port;
      const s = createImageStore({
        env: process.env,
        cacheDir: path.join(tmp, 'cache3'),
        debianMirror: 'http://unused.invalid',
      });
      const k = await s.kernel(`oci:127.0.0.1:${p}/kernels/test:v1`, 'amd64');
      expect(k.sha256).toBe(sha(kernel));
      expect(seen[0]).toMatch(/^\/v2\/kernels\/test\/manifests\/v1 -$/);
      expect(seen[1]).toMatch(/^\/token\?service=test&scope=repository%3Akernels%2Ftest%3Apull -$/);
      expect(seen.slice(2).every((l) => l.endsWith('Bearer t0k'))).toBe(true);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });
});
