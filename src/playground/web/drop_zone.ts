/**
 * A box that takes files: dropped on it, or chosen with its file input. It takes focus, and
 * Enter or Space opens the file chooser, as a click on it would.
 */
export function dropZone(drop: HTMLElement, input: HTMLInputElement, onFiles: (files: File[]) => void): void {
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const files = Array.from(e.dataTransfer?.files ?? []);
    if (files.length > 0) onFiles(files);
  });
  drop.addEventListener('keydown', (e) => {
    if (e.target === drop && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      input.click();
    }
  });
  input.addEventListener('change', () => {
    const files = Array.from(input.files ?? []);
    if (files.length > 0) onFiles(files);
  });
}
