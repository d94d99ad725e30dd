/** The console's entry point: renders the app into the page's one element. */
import { render } from 'preact';
import { App } from './app';

const root = document.getElementById('app');
if (root) render(<App />, root);
