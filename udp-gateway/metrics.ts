// The gateway's figures as CloudWatch metrics in Embedded Metric Format (Powertools Metrics): one EMF
// document per stats interval, written beside the stats line (plus one per rejection reason), so a
// terminal running `npm start` sees them every GATEWAY_STATS_SECONDS and never per datagram.
// In the cloud the task's log driver ships stdout to CloudWatch Logs, which turns each document into
// metrics of the `Luz` namespace, dimension service=udp-gateway (docs/OBSERVABILITY.md).
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { StatsSnapshot } from './stats';

export const METRICS_NAMESPACE = 'Luz';

type Counted = Pick<StatsSnapshot, 'received' | 'stored' | 'duplicates' | 'rejected' | 'batches'>;

/** Publishes each interval's counts (what happened since the last call) and its gauges. */
export class GatewayMetrics {
  private last: Counted = { received: 0, stored: 0, duplicates: 0, rejected: {}, batches: 0 };

  constructor(private readonly metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'udp-gateway' })) {}

  publish(snapshot: StatsSnapshot): void {
    const { metrics, last } = this;
    metrics.addMetric('datagramsReceived', MetricUnit.Count, snapshot.received - last.received);
    metrics.addMetric('readingsStored', MetricUnit.Count, snapshot.stored - last.stored);
    metrics.addMetric('readingsDuplicate', MetricUnit.Count, snapshot.duplicates - last.duplicates);
    let rejected = 0;
    const byReason: [string, number][] = [];
    for (const [reason, count] of Object.entries(snapshot.rejected)) {
      const delta = count - (last.rejected[reason] ?? 0);
      rejected += delta;
      if (delta > 0) byReason.push([reason, delta]);
    }
    metrics.addMetric('datagramsRejected', MetricUnit.Count, rejected);
    metrics.addMetric('groupCommits', MetricUnit.Count, snapshot.batches - last.batches);
    metrics.addMetric('inFlight', MetricUnit.Count, snapshot.inFlight);
    // Percentiles of the interval's samples: raw values would be up to 20,000 per interval, EMF takes 100.
    if (snapshot.p50Ms !== null) metrics.addMetric('storeLatencyP50', MetricUnit.Milliseconds, snapshot.p50Ms);
    if (snapshot.p99Ms !== null) metrics.addMetric('storeLatencyP99', MetricUnit.Milliseconds, snapshot.p99Ms);
    metrics.publishStoredMetrics();
    // One document per reason: a dimension's value is per document.
    for (const [reason, count] of byReason) {
      const single = metrics.singleMetric();
      single.addDimension('reason', reason);
      single.addMetric('datagramsRejected', MetricUnit.Count, count);
    }
    this.last = { received: snapshot.received, stored: snapshot.stored, duplicates: snapshot.duplicates, rejected: { ...snapshot.rejected }, batches: snapshot.batches };
  }
}
