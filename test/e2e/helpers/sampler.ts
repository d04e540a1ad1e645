import { readdirSync, readFileSync } from 'node:fs';

export interface Sampling {
  /** how many times every process's command line was read */
  samples: number;
  /** distinct processes seen */
  processes: number;
  /** command lines that held the needle */
  hits: string[];
  stop(): void;
}

/**
 * Reads `/proc/<pid>/cmdline` of every process every `everyMs` milliseconds until `stop`, looking for `needle`: a
 * secret on any command line, however short-lived the process.
 */
export function sampleCommandLines(needle: string, everyMs = 5): Sampling {
  const seen = new Set<string>();
  const state: Sampling = {
    samples: 0,
    processes: 0,
    hits: [],
    stop: () => {
      clearInterval(timer);
    },
  };
  const sample = () => {
    state.samples += 1;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      } catch {
        continue; // gone since the listing
      }
      seen.add(`${pid}:${cmdline.slice(0, 80)}`);
      if (cmdline.includes(needle)) state.hits.push(cmdline.replace(/\0/g, ' '));
    }
    state.processes = seen.size;
  };
  const timer = setInterval(sample, everyMs);
  return state;
}
