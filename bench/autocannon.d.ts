// autocannon 9 ships no type declarations; this is the part of its API the HTTP benchmark uses.
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    }
    interface Options {
      url: string;
      method?: string;
      connections?: number;
      duration?: number;
      overallRate?: number;
      timeout?: number;
      headers?: Record<string, string>;
      requests?: Array<Request & { setupRequest?: (request: Request) => Request }>;
    }
    interface Histogram {
      average: number;
      mean: number;
      min: number;
      max: number;
      p50: number;
      p90: number;
      p99: number;
      p99_9: number;
    }
    interface Result {
      duration: number;
      latency: Histogram;
      requests: Histogram & { total: number; sent: number };
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
      statusCodeStats?: Record<string, { count: number }>;
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
