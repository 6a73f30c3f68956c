use super::*;
use crate::domain::people::ContactValue;

fn fields() -> PersonFields {
    PersonFields {
        name: "Jane Q. Doe".into(),
        nickname: "JD".into(),
        emails: vec![ContactValue { label: "work".into(), value: "jane@example.org".into() }],
        phones: vec![ContactValue { label: String::new(), value: "+44 20 1234".into() }],
        birthday: Some("1990-02-15".into()),
        address: "1 Long Road\nLondon".into(),
        notes: "likes tea; and, cake".into(),
        tags: vec!["family".into()],
        favourite: true,
    }
}

#[test]
fn a_person_is_served_as_vcard_3_and_read_back() {
    let text = write("urn:uuid:1", &fields(), "", 0);
    assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"), "{text}");
    assert!(text.ends_with("END:VCARD\r\n"), "{text}");
    assert!(text.contains("\r\nN:Doe;Jane Q.;;;\r\n"), "3.0 needs N: {text}");
    assert!(text.contains("\r\nREV:19700101T000000Z\r\n"), "{text}");
    assert!(text.contains("\r\nBDAY:1990-02-15\r\n"), "{text}");
    let card = read(&text).unwrap();
    assert_eq!(card.uid, "urn:uuid:1");
    assert_eq!(card.fields, fields());
    // N and ADR come back as kept lines; they still say what UMBRA has, so they are written
    // as they are, once.
    assert_eq!(card.extra, ["ADR:;;1 Long Road\\nLondon;;;;", "N:Doe;Jane Q.;;;"]);
    let again = write("urn:uuid:1", &fields(), &card.extra.join("\n"), 0);
    assert_eq!((again.matches("\r\nADR").count(), again.matches("\r\nN:").count()), (1, 1), "{again}");
    assert_eq!(read(&again).unwrap().fields, fields());
}

#[test]
fn vcard_4_is_accepted_and_unknown_lines_are_kept() {
    let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:u-4\r\nFN:Ann Lee\r\nN:Lee;Ann;;Dr.;\r\nORG:Acme;Research\r\n\
                item1.EMAIL;TYPE=INTERNET:ann@example.org\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n\
                PHOTO:data:image/png;base64,iVBORw0KGgo=\r\nADR;TYPE=home:;;2 Short St;Leeds;;LS1;UK\r\n\
                ADR;TYPE=work:;;3 Mill Lane;York;;;UK\r\nX-SOCIALPROFILE;TYPE=x:https://example.org/ann\r\nEND:VCARD\r\n";
    let card = read(text).unwrap();
    assert_eq!(card.fields.name, "Ann Lee");
    assert_eq!(card.fields.address, "2 Short St\nLeeds\nLS1\nUK");
    assert_eq!(
        card.extra,
        [
            "N:Lee;Ann;;Dr.;",
            "ORG:Acme;Research",
            "item1.X-ABLabel:_$!<Other>!$_",
            "PHOTO:data:image/png;base64,iVBORw0KGgo=",
            "ADR;TYPE=home:;;2 Short St;Leeds;;LS1;UK",
            "ADR;TYPE=work:;;3 Mill Lane;York;;;UK",
            "X-SOCIALPROFILE;TYPE=x:https://example.org/ann",
        ]
    );
    let extra = card.extra.join("\n");
    let out = write(&card.uid, &card.fields, &extra, 0);
    for line in &card.extra {
        assert!(out.contains(&format!("\r\n{line}\r\n")), "{line} in {out}");
    }
    assert_eq!(out.matches("\r\nADR").count(), 2, "the client's ADRs replace UMBRA's: {out}");
    assert_eq!(out.matches("\r\nN:").count(), 1, "{out}");

    // Renamed and moved in UMBRA: N and ADR are made from UMBRA's values again.
    let mut changed = card.fields.clone();
    changed.name = "Ann Smith".into();
    changed.address = "9 New Road".into();
    let out = write(&card.uid, &changed, &extra, 0);
    assert!(out.contains("\r\nN:Smith;Ann;;;\r\n") && !out.contains("N:Lee"), "{out}");
    assert!(out.contains("9 New Road") && !out.contains("Short St") && !out.contains("Mill Lane"), "{out}");
    assert!(out.contains("\r\nORG:Acme;Research\r\n"), "{out}");
}

#[test]
fn cards_that_cannot_be_kept_are_refused() {
    let cases = [
        "not a card",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Uid\r\nEND:VCARD\r\n",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a\r\nEND:VCARD\r\n",
        "BEGIN:VCARD\r\nUID:a\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nUID:b\r\nFN:B\r\nEND:VCARD\r\n",
        "BEGIN:VCARD\r\nUID:a\r\nFN:A\r\nBDAY:someday\r\nEND:VCARD\r\n",
    ];
    for text in cases {
        assert_eq!(read(text).unwrap_err().precondition, VALID_DATA, "{text}");
    }
    let long = format!("BEGIN:VCARD\r\nUID:{}\r\nFN:A\r\nEND:VCARD\r\n", "u".repeat(UID_MAX + 1));
    assert!(read(&long).unwrap_err().message.contains("UID"));
}

#[test]
fn derived_names() {
    assert_eq!(derived_n("Cher"), ";Cher;;;");
    assert_eq!(derived_n("Anne-Marie  de la Cruz"), "Cruz;Anne-Marie de la;;;");
    assert_eq!(derived_n("a;b, c"), "c;a\\;b\\,;;;");
    assert!(n_fits("N:Doe;Jane;;;", "Jane Doe") && !n_fits("N:Doe;Jane;;;", "Jane Smith"));
    assert!(!n_fits("N:;;;;", "Jane"));
}
