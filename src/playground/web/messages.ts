/**
 * The page's messages: banners for what concerns the whole page (a backend that did not
 * start, a lost context), each with its own dismiss button and shown once however often it
 * recurs; and per-field messages, next to the field they are about, cleared as soon as the
 * field holds a valid value again.
 */

export class Messages {
  /** Every message shown, in order (read by tests through `window.playground.messages`). */
  readonly log: string[] = [];

  constructor(private readonly box: HTMLElement) {}

  /** Shows `text` in a banner, unless the same text is already shown. */
  banner(text: string): void {
    this.log.push(text);
    const shown = Array.from(this.box.querySelectorAll<HTMLElement>('.banner-text')).find((el) => el.textContent === text);
    if (shown) return;
    const line = document.createElement('div');
    line.className = 'banner-line';
    const body = document.createElement('p');
    body.className = 'banner-text';
    body.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'dismiss';
    close.textContent = '×';
    close.setAttribute('aria-label', 'Dismiss this message');
    close.addEventListener('click', () => {
      line.remove();
      this.box.hidden = this.box.childElementCount === 0;
    });
    line.append(body, close);
    this.box.append(line);
    this.box.hidden = false;
  }

  /**
   * Marks `input` invalid with `text`, or valid (the message goes) when `text` is undefined.
   * The message lives in an element after the field's label, named by aria-describedby.
   */
  field(input: HTMLInputElement, text: string | undefined): void {
    const id = `${input.id}-error`;
    let note = document.getElementById(id);
    if (text === undefined) {
      note?.remove();
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
      return;
    }
    this.log.push(text);
    if (!note) {
      note = document.createElement('p');
      note.id = id;
      note.className = 'field-error';
      note.setAttribute('role', 'alert');
      (input.closest('.controls') ?? input).after(note);
    }
    note.textContent = text;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
  }
}
