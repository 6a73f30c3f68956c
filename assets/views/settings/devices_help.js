// The per-platform steps of Settings → Devices, as plain data drawn into folded sections: how
// to trust UMBRA's certificate authority, and how to add the account to a calendar and
// contacts app. Kept apart from the page's logic so the wording can be read (and corrected)
// in one place.

import { h } from '../../dom.js';

// Installing the CA certificate, once per device. Steps name the platform's own menus.
export const TRUST_STEPS = [
  {
    platform: 'iPhone and iPad',
    steps: [
      'Open this page in Safari on the device and tap “Download Apple profile”; allow the download.',
      'Open Settings → Profile Downloaded → Install, and enter the device passcode.',
      'Then Settings → General → About → Certificate Trust Settings: switch on full trust for the UMBRA certificate authority.',
    ],
  },
  {
    platform: 'Mac',
    steps: [
      'Download the Apple profile and open it; then System Settings → Privacy & Security → Profiles → install it.',
      'Or download the certificate, open it in Keychain Access (System keychain), double-click it, and under Trust choose “Always Trust”.',
    ],
  },
  {
    platform: 'Android',
    steps: [
      'Download the certificate (.crt).',
      'Settings → Security → Encryption & credentials → Install a certificate → CA certificate, and pick the downloaded file.',
      'DAVx⁵ and other apps then trust this server.',
    ],
  },
  {
    platform: 'Windows',
    steps: [
      'Download the certificate and open it → Install Certificate → Local Machine.',
      'Choose “Place all certificates in the following store” → Trusted Root Certification Authorities, then Finish.',
    ],
  },
  {
    platform: 'Linux',
    steps: [
      'Download the certificate and copy it to /usr/local/share/ca-certificates/umbra.crt (Debian, Ubuntu) or /etc/pki/ca-trust/source/anchors/ (Fedora).',
      'Run sudo update-ca-certificates (Debian, Ubuntu) or sudo update-ca-trust (Fedora).',
    ],
  },
  {
    platform: 'Firefox and Thunderbird',
    steps: [
      'They keep their own list: Settings → Privacy & Security → Certificates → View Certificates → Authorities → Import.',
      'Pick the downloaded certificate and tick “Trust this CA to identify websites”.',
    ],
  },
];

// Adding the account to an app. `url` is the DAV address, `host` the server's name (with its
// port when not the default), `user` the user name.
export function accountSteps({ url, host, user }) {
  return [
    {
      platform: 'iPhone, iPad and Mac',
      steps: [
        'iPhone and iPad: Settings → Calendar → Accounts → Add Account → Other → Add CalDAV Account. For contacts: Settings → Contacts → Accounts → Add Account → Other → Add CardDAV Account.',
        'Mac: System Settings → Internet Accounts → Add Other Account → CalDAV account (or CardDAV account), account type Manual.',
        [`Server: `, h('code', {}, host), `, user name: `, h('code', {}, user), ', password: the app password above.'],
      ],
    },
    {
      platform: 'Thunderbird',
      steps: [
        'Calendar: New Calendar → On the Network.',
        [`User name `, h('code', {}, user), `, location `, h('code', {}, url), '; it finds your calendars and asks for the app password.'],
        'Contacts: Address Book → New Address Book → Add CardDAV Address Book, with the same user name and location.',
      ],
    },
    {
      platform: 'DAVx⁵ (Android)',
      steps: [
        'Add account (+) → Login with URL and user name.',
        [`Base URL `, h('code', {}, url), `, user name `, h('code', {}, user), ', password: the app password.'],
        'Then pick the calendars and address books to sync; they appear in the phone’s own apps.',
      ],
    },
    {
      platform: 'GNOME and Evolution',
      steps: [
        'GNOME: Settings → Online Accounts → Calendar, Contacts and Files (Nextcloud on older versions).',
        [`Server `, h('code', {}, url), `, user name `, h('code', {}, user), ', password: the app password.'],
        ['Evolution: File → New → Calendar (or Address Book), type CalDAV (CardDAV), URL ', h('code', {}, url), '.'],
      ],
    },
  ];
}

// Folded sections, one per platform, each an ordered list of steps.
export function howTo(label, entries) {
  return h('div', { class: 'how-to', role: 'group', 'aria-label': label },
    entries.map((entry) => h('details', {},
      h('summary', {}, entry.platform),
      h('ol', { class: 'steps' }, entry.steps.map((step) => h('li', {}, step))))));
}
