// htm bound to Preact: components are plain functions returning html`…`, no JSX compiler.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
