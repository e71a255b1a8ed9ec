// A bench process of its own (a cluster node, the SMSC simulator), forked with an IPC channel:
// resolves with the first message it sends (its "ready"), rejects if it exits before.
import { type ChildProcess, fork, type Serializable } from 'node:child_process';

export async function forkReady<M>(
  script: string,
  args: string[],
  execArgv?: string[],
): Promise<{ child: ChildProcess; ready: M }> {
  const child = fork(script, args, { stdio: 'inherit', ...(execArgv ? { execArgv } : {}) });
  const ready = await new Promise<M>((resolve, reject) => {
    child.once('message', (m: M) => resolve(m));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  return { child, ready };
}

/** Sends `message` and resolves with the answer; rejects if the process exits first. */
export function ask<M>(child: ChildProcess, message: Serializable): Promise<M> {
  return new Promise<M>((resolve, reject) => {
    const exit = (code: number | null) => reject(new Error(`a bench process exited with ${code} before it answered`));
    child.once('exit', exit);
    child.once('message', (m: M) => {
      child.off('exit', exit);
      resolve(m);
    });
    child.send(message);
  });
}

/** Sends `message` and resolves with the answer, then once the process has exited. */
export async function askAndWait<M>(child: ChildProcess, message: string): Promise<M> {
  const answer = await ask<M>(child, message);
  await new Promise((r) => (child.exitCode !== null ? r(0) : child.once('exit', r)));
  return answer;
}
