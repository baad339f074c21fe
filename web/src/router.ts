/** Client-side routing on the History API, with focus moved to the new page's heading for screen readers. */

export interface PageContext {
  main: HTMLElement;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Aborted when the user navigates away: pages stop listening and ignore late answers. */
  signal: AbortSignal;
  navigate(path: string): void;
}

export interface Route {
  pattern: RegExp;
  title: string | ((params: Record<string, string>) => string);
  render(ctx: PageContext): void | Promise<void>;
}

export interface Router {
  start(): void;
  navigate(path: string, replace?: boolean): void;
}

const SITE = 'Aura';

export function createRouter(main: HTMLElement, routes: Route[], notFound: Route['render']): Router {
  let controller: AbortController | undefined;

  async function render(focus: boolean): Promise<void> {
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    const path = location.pathname;
    let match: RegExpExecArray | null = null;
    const route = routes.find((r) => (match = r.pattern.exec(path)));
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries((match as RegExpExecArray | null)?.groups ?? {})) params[k] = decodeURIComponent(v);
    const title = route ? (typeof route.title === 'function' ? route.title(params) : route.title) : 'Not found';
    document.title = `${title} — ${SITE}`;
    main.replaceChildren();
    main.setAttribute('aria-busy', 'true');
    for (const link of document.querySelectorAll<HTMLAnchorElement>('header.site nav a')) {
      if (new URL(link.href).pathname === path) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    const ctx: PageContext = { main, params, query: new URLSearchParams(location.search), signal, navigate: (p) => router.navigate(p) };
    try {
      await (route ? route.render(ctx) : notFound(ctx));
    } finally {
      if (!signal.aborted) {
        main.removeAttribute('aria-busy');
        main.dataset.ready = path;
      }
    }
    if (focus && !signal.aborted) {
      const heading = main.querySelector<HTMLElement>('h1');
      if (heading) {
        heading.tabIndex = -1;
        heading.focus({ preventScroll: true });
      } else main.focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }
  }

  const router: Router = {
    start() {
      document.addEventListener('click', (e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        const a = (e.target as Element | null)?.closest?.('a');
        if (!a || a.target || a.hasAttribute('download') || a.dataset.external !== undefined) return;
        const url = new URL(a.href, location.href);
        if (url.origin !== location.origin || isServerPath(url.pathname)) return;
        e.preventDefault();
        router.navigate(url.pathname + url.search + url.hash);
      });
      window.addEventListener('popstate', () => void render(true));
      void render(false);
    },
    navigate(path, replaceState = false) {
      if (replaceState) history.replaceState(null, '', path);
      else history.pushState(null, '', path);
      void render(true);
    },
  };
  return router;
}

/** Links to API resources (bundle download, badge, docs) must reach the server, not the router. */
const isServerPath = (p: string) => /^\/(v1|docs|openapi\.json|\.well-known|matches|services|healthz|readyz)(\/|$)/.test(p);
