//! The local CA as an Apple configuration profile (`.mobileconfig`): iOS and macOS install a
//! root certificate most easily this way. One `com.apple.security.root` payload holds the
//! certificate; the identifiers and UUIDs derive from the CA itself, so downloading the
//! profile again gives the same profile (the device updates it instead of adding a second),
//! and a new CA gives a new one.

use base64::Engine as _;
use quick_xml::escape::escape;
use sha2::{Digest, Sha256};

/// The profile (an XML property list) for the CA certificate `der` named `name`.
pub fn mobileconfig(name: &str, der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    let id = hex::encode(&digest[..8]);
    let certificate = base64::engine::general_purpose::STANDARD.encode(der);
    let name = escape(name);
    let root_uuid = payload_uuid(&digest, "root");
    let profile_uuid = payload_uuid(&digest, "profile");
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadCertificateFileName</key>
      <string>umbra-ca.crt</string>
      <key>PayloadContent</key>
      <data>{certificate}</data>
      <key>PayloadDescription</key>
      <string>Trusts the certificates of this UMBRA server.</string>
      <key>PayloadDisplayName</key>
      <string>{name}</string>
      <key>PayloadIdentifier</key>
      <string>local.umbra.ca.{id}.root</string>
      <key>PayloadType</key>
      <string>com.apple.security.root</string>
      <key>PayloadUUID</key>
      <string>{root_uuid}</string>
      <key>PayloadVersion</key>
      <integer>1</integer>
    </dict>
  </array>
  <key>PayloadDescription</key>
  <string>Installs the certificate authority of your UMBRA server, so that Calendar, Contacts and Safari trust it.</string>
  <key>PayloadDisplayName</key>
  <string>{name}</string>
  <key>PayloadIdentifier</key>
  <string>local.umbra.ca.{id}</string>
  <key>PayloadRemovalDisallowed</key>
  <false/>
  <key>PayloadType</key>
  <string>Configuration</string>
  <key>PayloadUUID</key>
  <string>{profile_uuid}</string>
  <key>PayloadVersion</key>
  <integer>1</integer>
</dict>
</plist>
"#
    )
}

/// A UUID (version 8: application-defined) from the CA's digest and the payload's role.
fn payload_uuid(ca_digest: &[u8], role: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"umbra mobileconfig ");
    hasher.update(role.as_bytes());
    hasher.update(ca_digest);
    let mut bytes: [u8; 16] = hasher.finalize()[..16].try_into().unwrap_or_default();
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode_upper(bytes);
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values_of<'a>(profile: &'a str, key: &str) -> Vec<&'a str> {
        let marker = format!("<key>{key}</key>");
        profile
            .split(&marker)
            .skip(1)
            .filter_map(|rest| {
                let start = rest.find('>')? + 1;
                let end = rest[start..].find('<')? + start;
                Some(rest[start..end].trim())
            })
            .collect()
    }

    #[test]
    fn the_profile_is_well_formed_and_holds_the_certificate() {
        let der = b"not really DER, but bytes all the same".to_vec();
        let profile = mobileconfig("UMBRA local CA (a<b&c)", &der);
        let mut reader = quick_xml::Reader::from_str(&profile);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed: {e}\n{profile}"),
            }
        }
        assert!(profile.contains("UMBRA local CA (a&lt;b&amp;c)"));
        assert_eq!(values_of(&profile, "PayloadType"), ["com.apple.security.root", "Configuration"]);
        let data = values_of(&profile, "PayloadContent").into_iter().find(|v| !v.is_empty()).unwrap();
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(data).unwrap(), der);
    }

    #[test]
    fn uuids_are_stable_per_ca_and_distinct() {
        let first = mobileconfig("CA", b"one");
        assert_eq!(first, mobileconfig("CA", b"one"));
        let uuids = values_of(&first, "PayloadUUID");
        assert_eq!(uuids.len(), 2);
        assert_ne!(uuids[0], uuids[1]);
        for uuid in &uuids {
            let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
            assert_eq!(groups, [8, 4, 4, 4, 12], "{uuid}");
            assert_eq!(&uuid[14..15], "8", "version 8: {uuid}");
            assert!(matches!(&uuid[19..20], "8" | "9" | "A" | "B"), "RFC 4122 variant: {uuid}");
        }
        let other = mobileconfig("CA", b"two");
        assert!(values_of(&other, "PayloadUUID").iter().all(|u| !uuids.contains(u)));
    }
}
