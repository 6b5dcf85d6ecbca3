// Prometheus text-format metrics of the reward server: requests by route and status, a request latency histogram,
// backend batch sizes and the number of requests in flight. No dependencies; exposition format 0.0.4.

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** A cumulative histogram with fixed upper bounds. */
class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(readonly bounds: readonly number[]) { this.counts = bounds.map(() => 0); }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    this.bounds.forEach((b, i) => { if (v <= b) this.counts[i]!++; });
  }
  lines(name: string, labels = ''): string[] {
    const sep = labels === '' ? '' : ',';
    return [
      ...this.bounds.map((b, i) => `${name}_bucket{${labels}${sep}le="${b}"} ${this.counts[i]}`),
      `${name}_bucket{${labels}${sep}le="+Inf"} ${this.count}`,
      `${name}_sum${labels === '' ? '' : `{${labels}}`} ${this.sum}`,
      `${name}_count${labels === '' ? '' : `{${labels}}`} ${this.count}`,
    ];
  }
}

const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The server's counters, histograms and gauges. */
export class ServerMetrics {
  /** Requests being handled right now. */
  inFlight = 0;
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly batches = new Histogram(BATCH_BUCKETS);
  private batchItems = 0;

  /** Record one finished request: its route, HTTP status and duration in seconds. */
  request(route: string, status: number, seconds: number): void {
    const key = `route="${esc(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const lk = `route="${esc(route)}"`;
    let h = this.latency.get(lk);
    if (!h) { h = new Histogram(LATENCY_BUCKETS); this.latency.set(lk, h); }
    h.observe(seconds);
  }

  /** Generations sent to the backend so far (tests read it). */
  get generations(): number {
    return this.batchItems;
  }

  /** Record one backend call costing `items` generations (a pair counts its votes, a scored response one). */
  batch(items: number): void {
    this.batches.observe(items);
    this.batchItems += items;
  }

  /** Requests counted for a route and status (tests read it). */
  count(route: string, status: number): number {
    return this.requests.get(`route="${esc(route)}",status="${status}"`) ?? 0;
  }

  /** The metrics in Prometheus text exposition format. */
  text(): string {
    const out: string[] = [
      '# HELP gramr_requests_total HTTP requests answered, by route and status.',
      '# TYPE gramr_requests_total counter',
      ...[...this.requests].map(([k, v]) => `gramr_requests_total{${k}} ${v}`),
      '# HELP gramr_request_duration_seconds Time from request start to response, by route.',
      '# TYPE gramr_request_duration_seconds histogram',
      ...[...this.latency].flatMap(([k, h]) => h.lines('gramr_request_duration_seconds', k)),
      '# HELP gramr_batch_size Generations per backend call (pairs × votes, or responses; micro-batches of concurrent requests).',
      '# TYPE gramr_batch_size histogram',
      ...this.batches.lines('gramr_batch_size'),
      '# HELP gramr_batch_items_total Generations sent to the backend (pairs × votes, or responses).',
      '# TYPE gramr_batch_items_total counter',
      `gramr_batch_items_total ${this.batchItems}`,
      '# HELP gramr_requests_in_flight Requests being handled.',
      '# TYPE gramr_requests_in_flight gauge',
      `gramr_requests_in_flight ${this.inFlight}`,
    ];
    return out.join('\n') + '\n';
  }
}
