/** A small Dockerfile reader: enough to compare what the images run with what the tests run. */

export interface Instruction {
  /** The build stage (its `AS` name, or its index) the instruction belongs to. */
  stage: string;
  keyword: string;
  args: string;
}

export interface Dockerfile {
  /** Stage name → base image (as written, ARGs not expanded). */
  stages: Map<string, string>;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) && current === '') continue;
    if (/^\s*#/.test(line)) continue; // comments inside continuations are dropped by Docker too
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  if (current.trim()) logical.push(current.trim());

  const stages = new Map<string, string>();
  const instructions: Instruction[] = [];
  let stage = '';
  for (const line of logical) {
    const match = /^(\w+)\s+([\s\S]*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1].toUpperCase();
    const args = match[2].replace(/\s+/g, ' ').trim();
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stage = from?.[2] ?? String(stages.size);
      stages.set(stage, from?.[1] ?? args);
    }
    instructions.push({ stage, keyword, args });
  }
  return { stages, instructions };
}

/** The instructions of one keyword in one stage. */
export function instructionsOf(file: Dockerfile, stage: string, keyword: string): string[] {
  return file.instructions.filter((i) => i.stage === stage && i.keyword === keyword).map((i) => i.args);
}

/** `["a", "b"]` → ['a', 'b'] (exec form); undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `HEALTHCHECK --interval=… CMD ["…"]` → the command's exec form. */
export function healthcheckCommand(args: string): string[] | undefined {
  const match = /\bCMD\s+(\[.*\])\s*$/.exec(args);
  return match ? execForm(match[1]) : undefined;
}

/** ENV instructions of a stage as one map (`ENV A=1 B=2` form). */
export function envOf(file: Dockerfile, stage: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of instructionsOf(file, stage, 'ENV')) {
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
      env[match[1]] = match[2].replace(/^"|"$/g, '');
    }
  }
  return env;
}
