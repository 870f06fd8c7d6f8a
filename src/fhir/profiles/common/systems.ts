/** Identifier systems, code systems and extension URLs the LMDI profiles fix (facts from the IG). */

export const OID_FNR = 'urn:oid:2.16.578.1.12.4.1.4.1';
export const OID_DNR = 'urn:oid:2.16.578.1.12.4.1.4.2';
export const OID_FHN = 'urn:oid:2.16.578.1.12.4.1.4.3';
export const OID_HPR = 'urn:oid:2.16.578.1.12.4.1.4.4';
export const OID_ENH = 'urn:oid:2.16.578.1.12.4.1.4.101';
export const OID_RSH = 'urn:oid:2.16.578.1.12.4.1.4.102';

/** Kommunenummer (Volven 3402) and bydelsnummer (Volven 3403). */
export const OID_MUNICIPALITY = 'urn:oid:2.16.578.1.12.4.1.1.3402';
export const OID_URBAN_DISTRICT = 'urn:oid:2.16.578.1.12.4.1.1.3403';

/** Organisatorisk nivå (8628) and organisatorisk betegnelse (8624), sliced on Organization.type by no-basis. */
export const OID_ORG_LEVEL = 'urn:oid:2.16.578.1.12.4.1.1.8628';
export const OID_ORG_DESIGNATION = 'urn:oid:2.16.578.1.12.4.1.1.8624';

export const SNOMED = 'http://snomed.info/sct';
export const UCUM = 'http://unitsofmeasure.org';
export const ICD10_NO = 'urn:oid:2.16.578.1.12.4.1.1.7110';
export const ICD11_MMS = 'http://id.who.int/icd/release/11/mms';
export const ICPC2 = 'urn:oid:2.16.578.1.12.4.1.1.7170';
export const OID_FORM = 'urn:oid:2.16.578.1.12.4.1.1.7448';
export const OID_ROUTE = 'urn:oid:2.16.578.1.12.4.1.1.7477';

export const FEST_DOSE = 'http://dmp.no/fhir/NamingSystem/festLegemiddelDose';
export const FEST_LMR_LOPENR = 'http://dmp.no/fhir/NamingSystem/lmrLopenummer';
export const FEST_MERKEVARE = 'http://dmp.no/fhir/NamingSystem/festLegemiddelMerkevare';
export const FEST_PAKNING = 'http://dmp.no/fhir/NamingSystem/festLegemiddelPakning';
export const FEST_VARENUMMER = 'http://dmp.no/fhir/NamingSystem/fest-varenummer';
export const FEST_VIRKESTOFF = 'http://dmp.no/fhir/NamingSystem/festLegemiddelVirkestoff';
/** The local-catalogue system changed between versions. */
export const LOCAL_MEDICATION_1_0_7 = 'http://fh.no/fhir/NamingSystem/lokaltVirkemiddel';
export const LOCAL_MEDICATION_1_1 = 'http://fhi.no/fhir/NamingSystem/lokaltLegemiddel';
export const FEST_SUBSTANCE = 'http://ehelse.no/fhir/CodeSystem/FEST';

const LMDI = 'http://hl7.no/fhir/ig/lmdi/StructureDefinition/';
export const EXT_CLASSIFICATION = `${LMDI}legemiddel-classification`;
export const EXT_NPR_EPISODE = `${LMDI}npr-episode-identifier`;
export const EXT_PERCENT_DOSE_CHANGE = `${LMDI}lmdi-prosentvis-doseendring`;
export const EXT_TREATMENT_REGIMEN = `${LMDI}lmdi-del-av-behandlingsregime`;
export const EXT_CLINICAL_TRIAL = `${LMDI}lmdi-klinisk-studie`;

const NO_BASIS = 'http://hl7.no/fhir/StructureDefinition/';
export const EXT_MUNICIPALITY = `${NO_BASIS}no-basis-municipalitycode`;
export const EXT_URBAN_DISTRICT = `${NO_BASIS}no-basis-urban-district`;
export const EXT_ADDRESS_OFFICIAL = `${NO_BASIS}no-basis-address-official`;
export const EXT_PROPERTY_INFORMATION = `${NO_BASIS}no-basis-propertyinformation`;
export const EXT_CITIZENSHIP = 'http://hl7.org/fhir/StructureDefinition/patient-citizenship';
