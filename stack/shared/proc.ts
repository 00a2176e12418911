// The processes of this machine as /proc describes them (Linux): parent, CPU time and command line. Used to see what
// runs under what (the bench's CPU by process, the tests' check that a killed runtime leaves no Deno worker behind).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** User plus system CPU time, in clock ticks (USER_HZ, 100 per second on Linux). */
  ticks: number;
  /** Arguments joined by spaces. */
  cmdline: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; the name itself may hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), cmdline };
  } catch {
    return undefined; // gone between the listing and the read
  }
}

export function listProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProcess(Number(d)))
    .filter((p): p is ProcessInfo => !!p);
}
