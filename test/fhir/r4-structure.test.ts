/** Base FHIR R4 structure, compiled from the R4 StructureDefinitions: one test per kind of check. */
import { describe, it } from 'vitest';

import { E, bundle, expectFindings, loc, resource } from './support/bundle.js';

describe('base R4 structure', () => {
  it('unknown elements', () => {
    const b = bundle();
    resource(b, E.pasientA)['favouriteColour'] = 'blue';
    expectFindings(b, [['r4.Patient.favouriteColour', loc(E.pasientA, 'favouriteColour'), 'structure']]);
  });

  it('unknown elements inside data types', () => {
    const b = bundle();
    resource(b, E.admin)['dosage'].dose.amount = 2;
    expectFindings(b, [['r4.Quantity.amount', loc(E.admin, 'dosage.dose.amount'), 'structure']]);
  });

  it('required bindings on code elements (administrative-gender)', () => {
    const b = bundle();
    resource(b, E.pasientA)['gender'] = 'kvinne';
    expectFindings(b, [['r4.Patient.gender', loc(E.pasientA, 'gender'), 'code-invalid']]);
  });

  it('primitive formats (date)', () => {
    const b = bundle();
    resource(b, E.pasientA)['birthDate'] = '03.02.1938';
    expectFindings(b, [['r4.Patient.birthDate', loc(E.pasientA, 'birthDate'), 'value']]);
  });

  it('JSON types of primitives', () => {
    const b = bundle();
    resource(b, E.admin)['dosage'].dose.value = '10';
    expectFindings(b, [['r4.Quantity.value', loc(E.admin, 'dosage.dose.value'), 'structure']]);
  });

  it('a list where a single value belongs', () => {
    const b = bundle();
    resource(b, E.kommune)['name'] = ['Fjordvik kommune'];
    expectFindings(b, [['r4.Organization.name', loc(E.kommune, 'name'), 'structure']]);
  });

  it('a single value where a list belongs', () => {
    const b = bundle();
    const org = resource(b, E.kommune);
    org['identifier'] = org['identifier'][0];
    expectFindings(b, [['r4.Organization.identifier', loc(E.kommune, 'identifier'), 'structure']]);
  });

  it('only one variant of a choice type', () => {
    const b = bundle();
    resource(b, E.admin)['effectivePeriod'] = { start: '2025-03-10T08:00:00+01:00', end: '2025-03-10T08:30:00+01:00' };
    expectFindings(b, [['r4.MedicationAdministration.effective[x]', loc(E.admin, 'effectivePeriod'), 'structure']]);
  });

  it('base minimum cardinality (Encounter.class)', () => {
    const b = bundle();
    delete resource(b, E.oppholdA)['class'];
    expectFindings(b, [['r4.Encounter.class', loc(E.oppholdA, 'class'), 'required']]);
  });

  it('empty objects are not allowed', () => {
    const b = bundle();
    resource(b, E.oppholdA)['class'] = {};
    expectFindings(b, [['r4.Encounter.class', loc(E.oppholdA, 'class'), 'structure']]);
  });

  it('_element extensions of primitives are accepted', () => {
    const b = bundle();
    resource(b, E.pasientA)['_gender'] = { extension: [{ url: 'urn:example:gender-note', valueString: 'self-reported' }] };
    expectFindings(b, []);
  });

  it('_element only beside a primitive element', () => {
    const b = bundle();
    resource(b, E.pasientA)['_address'] = { extension: [{ url: 'urn:example:x', valueString: 'y' }] };
    expectFindings(b, [['r4.Patient._address', loc(E.pasientA, '_address'), 'structure']]);
  });

  it('_element holds only id and extension', () => {
    const b = bundle();
    resource(b, E.pasientA)['_gender'] = { value: 'female' };
    expectFindings(b, [['r4.Element.value', loc(E.pasientA, '_gender.value'), 'structure']]);
  });

  it('unknown resource types (contained)', () => {
    const b = bundle();
    resource(b, E.pasientA)['contained'] = [{ resourceType: 'Pasient', id: 'x' }];
    // Nothing references #x either, which base R4 dom-3 reports on the resource.
    expectFindings(b, [
      ['r4.resourceType', loc(E.pasientA, 'contained[0].resourceType'), 'structure'],
      ['r4.Patient:dom-3', 'Bundle.entry[3].resource', 'invariant'],
    ]);
  });

  it('Medplum-only Meta elements are not R4', () => {
    const b = bundle();
    resource(b, E.pasientA)['meta'].project = 'p1';
    expectFindings(b, [['r4.Meta.project', loc(E.pasientA, 'meta.project'), 'structure']]);
  });

  it('extension url is required', () => {
    const b = bundle();
    resource(b, E.pasientA)['_gender'] = { extension: [{ valueString: 'x' }] };
    expectFindings(b, [['r4.Extension.url', loc(E.pasientA, '_gender.extension[0].url'), 'required']]);
  });

  it('invariant per-1: a period ends after it starts', () => {
    const b = bundle();
    const r = resource(b, E.admin);
    delete r['effectiveDateTime'];
    r['effectivePeriod'] = { start: '2025-03-10T08:30:00+01:00', end: '2025-03-10T08:00:00+01:00' };
    expectFindings(b, [['r4.Period:per-1', loc(E.admin, 'effectivePeriod'), 'invariant']]);
  });

  it('invariant qty-3: a unit code needs its system', () => {
    const b = bundle();
    delete resource(b, E.admin)['dosage'].dose.system;
    expectFindings(b, [['r4.Quantity:qty-3', loc(E.admin, 'dosage.dose'), 'invariant']]);
  });

  it('invariant ext-1: an extension has a value or extensions, not both', () => {
    const b = bundle();
    resource(b, E.pasientA)['_gender'] = { extension: [{ url: 'urn:example:x', valueString: 'y', extension: [{ url: 'z', valueString: 'w' }] }] };
    expectFindings(b, [['r4.Extension:ext-1', loc(E.pasientA, '_gender.extension[0]'), 'invariant']]);
  });
});
