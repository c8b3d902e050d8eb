import { COMMANDS } from './catalog.js';
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { loadDataset, parseDatasetName, type ImageDataset } from '../../datasets/index.js';
import { renderTilesPng } from '../../datasets/view/png.js';
import { renderTilesTerminal } from '../../datasets/view/terminal.js';
import { imageAt, labelText, type Tile } from '../../datasets/view/tiles.js';
import { UserError } from '../../errors.js';
import { EXIT } from '../../exit_codes.js';
import { nonNegativeInt, positiveInt } from '../flags.js';
import { addLoadOptions, loadOptionsFromFlags, type LoadFlags } from './datasets.js';

interface ShowFlags extends LoadFlags {
  index?: number;
  grid?: number;
  split: 'train' | 'test';
  out?: string;
  scale?: number;
}

function tilesFor(dataset: ImageDataset, flags: ShowFlags): Tile[] {
  const split = dataset[flags.split];
  const first = flags.index ?? 0;
  const count = flags.grid ?? 1;
  if (first >= split.count) {
    throw new UserError(`--index ${first} is out of range: the ${flags.split} split of ${dataset.name} has ${split.count} images (0..${split.count - 1})`);
  }
  const last = Math.min(split.count, first + count);
  const tiles: Tile[] = [];
  for (let i = first; i < last; i++) {
    const label = labelText(dataset, split, i);
    tiles.push({ image: imageAt(split, dataset.imageShape, i), caption: flags.grid ? `${i}: ${label}` : `${flags.split}[${i}]: ${label}` });
  }
  return tiles;
}

export function register(program: Command): void {
  addLoadOptions(
    program
      .command('show')
      .description(COMMANDS.show.description)
      .argument('<name>', 'image data set (cifar10, cifar100, mnist, fashion-mnist)')
      .option('--index <i>', 'image to show (with --grid: the first one); default 0', nonNegativeInt)
      .option('--grid <n>', 'show n images from --index on, with their labels, in one picture', positiveInt)
      .addOption(new Option('--split <split>', 'which split').choices(['train', 'test']).default('train'))
      .option('--out <file.png>', 'write a PNG instead of drawing in the terminal')
      .option('--scale <n>', 'PNG enlargement factor; default 8, or 4 with --grid', positiveInt),
  ).action(async (nameArg: string, flags: ShowFlags) => {
    const dataset = await loadDataset(parseDatasetName(nameArg), loadOptionsFromFlags(flags));
    if (dataset.kind !== 'image') throw new UserError(`show draws images; ${dataset.name} is a ${dataset.kind} data set`);
    const tiles = tilesFor(dataset, flags);
    if (flags.out) {
      const png = renderTilesPng(tiles, flags.scale ?? (flags.grid ? 4 : 8));
      await writeFile(flags.out, png).catch((err: unknown) => {
        // 73 is EX_CANTCREAT.
        throw new UserError(`${flags.out}: cannot write: ${err instanceof Error ? err.message : String(err)}`, EXIT.CANT_CREATE);
      });
      process.stdout.write(`wrote ${flags.out} (${tiles.length} image${tiles.length > 1 ? 's' : ''})\n`);
      return;
    }
    process.stdout.write(renderTilesTerminal(tiles, process.stdout.columns ?? 80));
  });
}
