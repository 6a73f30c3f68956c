// Settings → Preferences → Weather: where the dashboard's weather is for (a place name the
// server looks up, or coordinates) and the units. A place the provider cannot find is shown
// at its field and nothing is saved.

import { h, mount } from '../../dom.js';
import { patch } from '../../api.js';
import { form } from '../../forms.js';

const UNITS = [['metric', 'Metric (°C, km/h)'], ['imperial', 'Imperial (°F, mph)']];

export function weatherForm(current) {
  const built = form({
    fields: [
      { name: 'weather_place', label: 'Place', optional: true, maxLength: 120, value: current.weather_place || '',
        hint: 'A town or city, looked up when you save. Leave it and the coordinates empty to show no weather.' },
      { name: 'weather_latitude', label: 'Latitude', kind: 'number', optional: true, min: -90, max: 90, step: 0.0001,
        value: current.weather_latitude ?? '', hint: 'Or enter coordinates instead of a place (degrees, north positive).' },
      { name: 'weather_longitude', label: 'Longitude', kind: 'number', optional: true, min: -180, max: 180, step: 0.0001,
        value: current.weather_longitude ?? '', hint: 'Degrees, east positive.' },
      { name: 'units', label: 'Units', kind: 'select', options: UNITS, value: current.units || 'metric' },
    ],
    submitLabel: 'Save weather',
    async onSubmit(values, { success }) {
      const place = (values.weather_place || '').trim();
      const lat = values.weather_latitude;
      const lon = values.weather_longitude;
      const body = { units: values.units };
      if (place && place !== (current.weather_place || '')) {
        body.weather_place = place;
      } else if (lat !== null && lon !== null && (lat !== current.weather_latitude || lon !== current.weather_longitude)) {
        body.weather_latitude = lat;
        body.weather_longitude = lon;
      } else if (!place && lat === null && lon === null) {
        body.weather_place = null;
      } else if (lat === null || lon === null) {
        const problem = new Error('Enter both coordinates, or neither.');
        problem.fields = { [lat === null ? 'weather_latitude' : 'weather_longitude']: 'Enter both coordinates, or neither.' };
        throw problem;
      }
      const saved = await patch('/api/settings', body);
      Object.assign(current, saved);
      built.inputs.weather_place.value = saved.weather_place || '';
      built.inputs.weather_latitude.value = saved.weather_latitude ?? '';
      built.inputs.weather_longitude.value = saved.weather_longitude ?? '';
      success(saved.weather_place ? `Saved: weather for ${saved.weather_place}.`
        : saved.weather_latitude !== null ? 'Saved: weather for those coordinates.' : 'Saved: no weather is shown.');
    },
  });
  const wrap = h('div');
  mount(wrap, built.el);
  return wrap;
}
