// Kernel modules as distributions ship them (.ko, .ko.xz, .ko.zst, .ko.gz),
// made plain on the host: the guest's busybox insmod takes plain ELF only.

import { gunzipSync } from 'node:zlib';
import { InfraError } from '../../errors.js';
import { requireTool, runTool, type ToolEnv } from '../tools.js';

/** The module's name as insmod and modules.dep know it: `virtio_pci.ko.xz` → `virtio_pci`. */
export const moduleName = (file: string) => file.replace(/^.*\//, '').replace(/\.ko(\.(xz|zst|gz))?$/, '');

export const isModuleFile = (file: string) => /\.ko(\.(xz|zst|gz))?$/.test(file);

/** The plain ELF of a (possibly compressed) module file's bytes. */
export async function plainModule(file: string, bytes: Buffer, tools: ToolEnv): Promise<Buffer> {
  if (file.endsWith('.ko')) return bytes;
  if (file.endsWith('.gz')) return gunzipSync(bytes);
  const tool = file.endsWith('.xz') ? 'xz' : 'zstd';
  const res = await runTool(requireTool(tool, tools.env), ['-dc'], { ...tools, input: bytes });
  if (res.code !== 0) throw new InfraError(`${tool} could not decompress ${file}: ${res.stderr.trim()}`);
  return res.stdout;
}
