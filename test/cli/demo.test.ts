import { describe, expect, it } from 'vitest';
import { run } from './run.js';

describe('wappush demo (npm start)', () => {
  it('runs everything on loopback and shows what each application received and what was refused', () => {
    const r = run(['demo']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/SI inbox \(urn:wappush-demo:si-inbox\): 2 pushes/);
    expect(r.stdout).toMatch(/SL loader \(urn:wappush-demo:sl-loader\): 1 push\n.*port 49200, 3 SMS/);
    expect(r.stdout).toMatch(
      /MMS user agent \(urn:wappush-demo:mms-ua\): 1 push\n.*MMS m-notification-ind from \+48572292736\/TYPE=PLMN, 198257 octets/,
    );
    expect(r.stdout).toMatch(/duplicate-application-id/);
    expect(r.stdout).toMatch(/unsupported-option \(connectionProfiles\[0\]\.protocol\)/);
    expect(r.stdout).toMatch(/from \+19990000: whitelist/);
    expect(r.stdout).toMatch(/for 0x9999 from \+15550001: no-registration/);
    expect(r.stdout).toMatch(
      /duplicates dropped: 1 redelivered single SMS \(link\), 1 repeated segment \(reassembly\)/,
    );
  });
});
