// A bar chart over uPlot; the figure is described in words (aria-label) and always has its data table beside it.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { html } from './html';

export interface Bars {
  labels: string[];
  values: number[];
  /** A sentence that says what the chart shows (screen readers read it instead of the canvas). */
  summary: string;
  unit: string;
  onPick?: (index: number) => void;
}

export function BarChart({ labels, values, summary, unit, onPick }: Bars) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current!;
    const width = Math.max(280, Math.min(900, element.clientWidth || 600));
    const bars = uPlot.paths.bars!({ size: [0.7, 60] });
    const plot = new uPlot(
      {
        width,
        height: 240,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          { values: (_u, ticks) => ticks.map((tick) => labels[Math.round(tick)] ?? ''), stroke: '#1f2933', grid: { show: false } },
          { label: unit, stroke: '#1f2933', size: 60 },
        ],
        series: [{}, { label: unit, fill: '#1d5fa7', stroke: '#1d5fa7', paths: bars, points: { show: false } }],
      },
      [labels.map((_, index) => index), values],
      element,
    );
    const pick = () => {
      const index = plot.cursor.idx;
      if (onPick && typeof index === 'number') onPick(index);
    };
    plot.over.addEventListener('click', pick);
    return () => plot.destroy();
  }, [labels.join('|'), values.join('|')]);
  return html`<figure class="chart"><div ref=${box} role="img" aria-label=${summary}></div><figcaption>${summary}</figcaption></figure>`;
}
