/**
 * The progress terminal: one block per activation, its name as a heading that stays in view,
 * the progress bar's lines below it, wrapped rather than cut (issue 24: `val_accuracy` was
 * clipped at the right and the heading scrolled away).
 */

/** Lines kept per block: the epochs' summaries of a short run and the live bar. */
const KEEP = 12;

export class RunTerminal {
  private blocks: Array<{ pre: HTMLElement; lines: string[] }> = [];

  constructor(private readonly root: HTMLElement) {}

  clear(): void {
    this.blocks = [];
    this.root.replaceChildren();
  }

  /** Starts activation `index`'s block, headed `title`. */
  begin(index: number, title: string): void {
    const block = document.createElement('div');
    block.className = 'term-block';
    const heading = document.createElement('h3');
    heading.textContent = title;
    const pre = document.createElement('pre');
    block.append(heading, pre);
    this.root.append(block);
    this.blocks[index] = { pre, lines: [''] };
  }

  /** Writes progress-bar text into block `index`: `\r` rewrites the last line, as a terminal does. */
  write(index: number, text: string): void {
    const block = this.blocks[index];
    if (!block) return;
    for (const part of text.replace(/\x1b\[K/g, '').split(/(\r|\n)/)) {
      if (part === '\r') block.lines[block.lines.length - 1] = '';
      else if (part === '\n') block.lines.push('');
      else block.lines[block.lines.length - 1] += part;
    }
    block.lines = block.lines.slice(-KEEP);
    block.pre.textContent = block.lines.join('\n');
  }

  /** Everything shown, as text (tests and screen readers read the same lines). */
  get text(): string {
    return this.root.innerText;
  }
}
