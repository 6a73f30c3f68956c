// Once per signed-in user and page load: apply the theme and the time formats stored in
// their settings (another device may have changed them), and give an account without a time
// zone this browser's.

import { get, patch } from '../../api.js';
import { userZone } from '../../fields.js';
import { setFormatPreferences } from '../../format.js';
import { redraw } from '../../nav.js';
import { setThemeChoice } from '../../theme.js';

let syncedFor = null;

export async function syncSettings(user) {
  if (!user || syncedFor === user.username) return;
  syncedFor = user.username;
  try {
    const settings = await get('/api/settings', { quiet: true });
    setThemeChoice(settings.theme);
    // Times already drawn with the defaults are drawn again in the user's format.
    if (setFormatPreferences(settings)) redraw();
    if (!settings.timezone) await patch('/api/settings', { timezone: userZone() }, { quiet: true });
  } catch {
    // Not signed in after all, or locked: the next successful draw tries again.
    syncedFor = null;
  }
}
