// No circle of imports among the app's modules: a screen that needs another's piece takes it
// from a shared component instead (components/Authenticator.tsx was cut out of such a circle).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "../src");
const extensions = [".tsx", ".ts"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return extensions.some((ext) => name.endsWith(ext)) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, ...extensions.map((ext) => base + ext), ...extensions.map((ext) => join(base, "index" + ext))]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Each module's local imports (type-only imports included: they are circles to a reader too). */
export function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const specs = [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s*["']([^"']+)["']/gm)]
      .map((m) => m[1])
      .filter((spec): spec is string => !!spec);
    graph.set(file, specs.map((spec) => resolveImport(file, spec)).filter((path): path is string => !!path));
  }
  return graph;
}

/** The circles of `graph`, each as the path that closes it. */
export function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe("imports", () => {
  it("have no circle", () => {
    const named = circles(importGraph(sources(root))).map((circle) => circle.map((path) => path.slice(root.length + 1)).join(" -> "));
    expect(named).toEqual([]);
  });

  it("the check finds a circle", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(circles(graph)).toEqual([["a", "b", "c", "a"]]);
  });
});
