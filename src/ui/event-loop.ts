/**
 * Yields to the event loop through a new task, so messages and events that arrived meanwhile are handled first: a
 * message to itself over a MessageChannel, since nested setTimeout calls are held back 4 ms each (setTimeout only
 * where there is no MessageChannel).
 */
export function pauseForEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
