import './style.css';
import { createRouter } from './router.ts';
import { renderVerify } from './pages/verify.ts';
import { renderIdentity } from './pages/identity.ts';
import { renderRegister } from './pages/register.ts';
import { renderWork } from './pages/work.ts';
import { renderProfile } from './pages/profile.ts';
import { renderAttest } from './pages/attest.ts';
import { renderLog } from './pages/log.ts';
import { renderWorks } from './pages/works.ts';
import { renderSessionBadge } from './ui/session-badge.ts';
import { h, replace } from './ui/dom.ts';

const main = document.querySelector<HTMLElement>('#main')!;

const router = createRouter(
  main,
  [
    { pattern: /^\/$/, title: 'Verify an image', render: renderVerify },
    { pattern: /^\/identity\/?$/, title: 'Your identity', render: renderIdentity },
    { pattern: /^\/register\/?$/, title: 'Register a work', render: renderRegister },
    { pattern: /^\/works\/?$/, title: 'Works', render: renderWorks },
    { pattern: /^\/w\/(?<id>[^/]+)\/?$/, title: 'Work', render: renderWork },
    { pattern: /^\/@(?<handle>[^/]+)\/?$/, title: (p) => `@${p.handle ?? ''}`, render: renderProfile },
    { pattern: /^\/attest\/?$/, title: 'Attest a work', render: renderAttest },
    { pattern: /^\/log\/?$/, title: 'Public log', render: renderLog },
  ],
  ({ main: m }) =>
    replace(
      m,
      h('h1', null, 'Page not found'),
      h(
        'p',
        null,
        'There is nothing at this address. ',
        h('a', { href: '/' }, 'Verify an image'),
        ' or ',
        h('a', { href: '/works' }, 'browse works'),
        '.',
      ),
    ),
);

renderSessionBadge(document.querySelector<HTMLElement>('#session')!);
router.start();
