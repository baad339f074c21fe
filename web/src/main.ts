import './style.css';
import { renderHome } from './pages/home.ts';

const main = document.querySelector<HTMLElement>('#main')!;
renderHome(main);
