// Entry point for spawnCli(): the same main() as bin/portmatrix.js, from sources.
import { main } from '../../src/cli.js';

process.exitCode = await main(process.argv.slice(2));
