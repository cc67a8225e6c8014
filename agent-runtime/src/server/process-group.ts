import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Signals a detached child's whole process group, so grandchildren go too. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * The pids of every process in session `sid` (from /proc; Linux only). A PTY's shell leads its own
 * session, and with job control each background job gets a process group of its own inside it: the
 * session, not the shell's group, is what holds everything the terminal started.
 */
export function sessionMembers(sid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[3]) === sid) members.push(Number(entry));
  }
  return members;
}

/** Signals every process of session `sid`, and its process group (in case /proc is not readable). */
export function killSession(sid: number, signal: NodeJS.Signals): void {
  for (const pid of [-sid, ...sessionMembers(sid)]) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
