// Entry for the supervisor: `node --import tsx stack/host/main.ts`. Runs every service and the gateway,
// configured by the environment the supervisor builds. Besides
// `ready`, it answers the supervisor's `{type: 'stop-service' | 'start-service', name, id}` with `{type: 'done', id,
// error?}`.
import { runService } from '../shared/service-main.ts';
import { startPlatform, type Platform, type ServiceName } from './index.ts';

interface Control {
  type: 'stop-service' | 'start-service';
  name: ServiceName;
  id: number;
}

let platform: Platform | undefined;

process.on('message', (msg: Control) => {
  if (msg?.type !== 'stop-service' && msg?.type !== 'start-service') return;
  const action = msg.type === 'stop-service' ? platform?.stopService(msg.name) : platform?.startService(msg.name);
  void Promise.resolve(action).then(
    () => process.send?.({ type: 'done', id: msg.id }),
    (err: Error) => process.send?.({ type: 'done', id: msg.id, error: err.message }),
  );
});

await runService('host', async () => (platform = await startPlatform(process.env)));
