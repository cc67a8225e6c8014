"use client";

import "@xterm/xterm/css/xterm.css";
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { useEffect, useRef } from "react";

export interface TerminalHandle {
  write(data: Uint8Array | string): void;
  size(): { cols: number; rows: number };
}

interface TerminalViewProps {
  onReady(handle: TerminalHandle): void;
  onInput(data: string): void;
  onResize(cols: number, rows: number): void;
}

/** xterm.js in a box that follows its container's size; loaded only by the Terminal tab (dynamic import). */
export default function TerminalView({ onReady, onInput, onResize }: TerminalViewProps) {
  const box = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ onReady, onInput, onResize });
  callbacks.current = { onReady, onInput, onResize };

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const terminal = new Terminal({
      cursorBlink: true,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      fontSize: 13,
      scrollback: 5000,
      screenReaderMode: false,
      // A dark terminal in both themes (the tokens use light-dark(), which xterm's canvas cannot read).
      theme: { background: "#111318", foreground: "#e8eaef", cursor: "#9bbcff" },
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);
    fit.fit();
    const input = terminal.onData((data) => callbacks.current.onInput(data));
    const resize = terminal.onResize(({ cols, rows }) => callbacks.current.onResize(cols, rows));
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(element);
    callbacks.current.onReady({
      write: (data) => terminal.write(data),
      size: () => ({ cols: terminal.cols, rows: terminal.rows }),
    });
    terminal.focus();
    return () => {
      observer.disconnect();
      input.dispose();
      resize.dispose();
      terminal.dispose();
    };
  }, []);

  return <div ref={box} className="nora-terminal-box" />;
}
