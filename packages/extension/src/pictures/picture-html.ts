/**
 * The page of a picture webview: a strict Content-Security-Policy (nothing loads: no
 * network, no file; one nonce'd style sheet and one nonce'd script), the SVG the language
 * server drew, inserted as it comes (`picture` messages), and the theme's colours.
 *
 * The SVG's own <style> (light/dark by `prefers-color-scheme`) is blocked by the policy;
 * the page's style sheet gives the same classes the editor theme's colours instead (with
 * the SVG's light colours as fallbacks), so the picture follows the VS Code theme.
 *
 * The script: click on an element with a `data-id` → `reveal` message; scrolling and the
 * picture's kind and document are kept with `setState` (the serializer restores them);
 * `probe` and `click` messages (the VS Code suite) answer with what the page shows (and
 * the state it kept, its theme, the policy's refusals so far) and click an element, so
 * tests see the real DOM; `tryForbidden` makes the page try what its policy forbids (an
 * inline script and a style sheet without the nonce, a fetch, an image from the network),
 * so tests see the policy hold.
 */
import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/** The page, for a webview; `state` is what the script keeps (kind, uri, scroll). */
export function pictureHtml(webview: vscode.Webview, title: string, state: object): string {
    const nonce = randomBytes(16).toString('base64');
    const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src data:; font-src 'none'; connect-src 'none'`;
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head><body>
<p id="status" role="status">Drawing…</p>
<div id="picture"></div>
<script nonce="${nonce}">const initialState = ${JSON.stringify(state).replace(/</g, '\\u003c')};
${SCRIPT}</script>
</body></html>`;
}

function escapeHtml(text: string): string {
    return text.replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

const v = (name: string, fallback: string) => `var(--vscode-${name}, ${fallback})`;

/** The theme's colours for the pictures' classes (svg-kit.ts's palette as fallbacks). */
const STYLE = [
    `body{background:${v('editor-background', '#fff')};color:${v('editor-foreground', '#1f2328')};font-family:${v('font-family', 'sans-serif')};padding:8px}`,
    `#status{color:${v('descriptionForeground', '#57606a')};margin:0 0 8px}`, `#status.problem{color:${v('errorForeground', '#cf222e')}}`,
    '#picture svg{display:block;max-width:none}', '[data-id]{cursor:pointer}',
    `#picture svg text{fill:${v('editor-foreground', '#1f2328')};font-family:${v('editor-font-family', 'monospace')};font-size:12px}`,
    '#picture svg .label{font-weight:bold}',
    `#picture svg .bg{fill:${v('editor-background', '#fff')}}`,
    `#picture svg .muted{fill:${v('descriptionForeground', '#57606a')}}`,
    `#picture svg .problem-text{fill:${v('errorForeground', '#cf222e')}}`,
    `#picture svg .box{fill:${v('editorWidget-background', '#f6f8fa')};stroke:${v('editorWidget-border', '#57606a')}}`,
    `#picture svg .frame{fill:none;stroke:${v('descriptionForeground', '#57606a')}}`,
    `#picture svg .edge{stroke:${v('descriptionForeground', '#57606a')}}`, `#picture svg .arrow{fill:${v('descriptionForeground', '#57606a')}}`,
    `#picture svg .edge-backup{stroke:${v('textLink-foreground', '#0969da')}}`, `#picture svg .arrow-backup{fill:${v('textLink-foreground', '#0969da')}}`,
    `#picture svg .problem{fill:${v('inputValidation-errorBackground', '#ffebe9')};stroke:${v('errorForeground', '#cf222e')}}`,
    `#picture svg .up-all{fill:${v('diffEditor-insertedTextBackground', '#dafbe1')};stroke:${v('testing-iconPassed', '#1a7f37')}}`,
    `#picture svg .up-some{fill:${v('inputValidation-warningBackground', '#fff8c5')};stroke:${v('editorWarning-foreground', '#9a6700')}}`,
    `#picture svg .window{fill:${v('textLink-foreground', '#0969da')};stroke:${v('textLink-foreground', '#0969da')}}`,
    `#picture svg .estimated{fill:${v('editorWidget-background', '#f6f8fa')};stroke:${v('textLink-foreground', '#0969da')}}`,
    `#picture svg .axis{stroke:${v('descriptionForeground', '#57606a')}}`,
    `#picture svg [data-id]:hover .box,#picture svg [data-id]:hover rect{stroke-width:2}`
].join('\n');

/** The page's script (plain ES2020: it runs in the webview, not in the extension host). */
const SCRIPT = `(() => {
  const vscode = acquireVsCodeApi();
  const state = Object.assign({}, initialState, vscode.getState() || {});
  const box = document.getElementById('picture');
  const status = document.getElementById('status');
  let scrolled = false;
  const refused = [];
  document.addEventListener('securitypolicyviolation', e => refused.push(e.effectiveDirective || e.violatedDirective));
  const save = () => vscode.setState(Object.assign(state, { scrollX: window.scrollX, scrollY: window.scrollY }));
  window.addEventListener('scroll', save, { passive: true });
  box.addEventListener('click', event => {
    const el = event.target instanceof Element ? event.target.closest('[data-id]') : null;
    if (el) vscode.postMessage({ type: 'reveal', id: el.getAttribute('data-id') });
  });
  function show(message) {
    status.textContent = message.message || '';
    status.className = message.svg ? '' : 'problem';
    status.hidden = !message.message;
    box.replaceChildren();
    if (message.svg) {
      const doc = new DOMParser().parseFromString(message.svg, 'image/svg+xml');
      const svg = doc.documentElement;
      if (svg && svg.nodeName === 'svg') box.appendChild(document.importNode(svg, true));
    }
    if (!scrolled) {
      scrolled = true;
      window.scrollTo(state.scrollX || 0, state.scrollY || 0);
    }
    vscode.postMessage({ type: 'shown', version: message.version });
  }
  function probe() {
    const svg = box.querySelector('svg');
    return {
      type: 'probed',
      ids: [...box.querySelectorAll('[data-id]')].map(e => e.getAttribute('data-id')),
      text: svg ? [...svg.querySelectorAll('text')].map(t => t.textContent).join('\\n') : '',
      status: status.hidden ? '' : status.textContent,
      styled: svg ? getComputedStyle(svg.querySelector('.bg') || svg).fill : '',
      theme: document.body.className,
      state: vscode.getState() || null,
      refused: refused.slice()
    };
  }
  async function tryForbidden() {
    const script = document.createElement('script');
    script.textContent = 'window.backplanBreach = true;';
    document.head.appendChild(script);
    const style = document.createElement('style');
    style.textContent = '#status { outline-color: rgb(1, 2, 3) !important; }';
    document.head.appendChild(style);
    const image = document.createElement('img');
    image.src = 'https://example.com/backplan-probe.png';
    document.body.appendChild(image);
    let fetched = 'no answer';
    try { await fetch('https://example.com/backplan-probe'); fetched = 'fetched'; } catch (err) { fetched = 'refused'; }
    const result = { ran: window.backplanBreach === true, styled: getComputedStyle(status).outlineColor === 'rgb(1, 2, 3)', fetched };
    script.remove(); style.remove(); image.remove();
    return result;
  }
  window.addEventListener('message', event => {
    const message = event.data;
    if (message.type === 'picture') show(message);
    else if (message.type === 'probe') vscode.postMessage(Object.assign(probe(), { nonce: message.nonce }));
    else if (message.type === 'tryForbidden') tryForbidden().then(r => vscode.postMessage(Object.assign(r, { nonce: message.nonce })));
    else if (message.type === 'click') {
      const el = [...box.querySelectorAll('[data-id]')].find(e => e.getAttribute('data-id') === message.id);
      if (el) el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      vscode.postMessage({ type: 'clicked', nonce: message.nonce, found: Boolean(el) });
    }
  });
  save();
  vscode.postMessage({ type: 'ready' });
})();`;
