export function renderHome(main: HTMLElement): void {
  main.innerHTML = `
    <section class="hero">
      <h1>Was this made by a human?</h1>
      <p>Aura is a public registry of human-made art. Artists sign their works with their own keys,
      galleries vouch for them, and every claim is written to an append-only log that anyone can check offline.</p>
    </section>
    <section class="ways" aria-label="Ways in">
      <a class="card" href="/"><h2>Verify an image</h2><p>Drop any copy — resized, re-compressed or cropped — and see who made it.</p></a>
      <a class="card" href="/register"><h2>Register a work</h2><p>Sign a statement that you made it, with a key that never leaves your device.</p></a>
      <a class="card" href="/works"><h2>Check attestations</h2><p>See which galleries witnessed, exhibited or acquired a work.</p></a>
    </section>`;
}
