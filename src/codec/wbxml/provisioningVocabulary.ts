/**
 * OMA Client Provisioning (application/vnd.wap.connectivity-wbxml), public id 0x0B
 * "-//WAPFORUM//DTD PROV 1.0//EN". Code page 0 is WAP-183-ProvCont; code page 1 holds the
 * OMA additions used inside APPLICATION characteristics. Source: OMA-WAP-ProvCont-v1_1
 * section 7 (tag tokens 7.1, attribute start tokens 7.2, attribute value tokens 7.3), as
 * also tabulated in libwbxml's wbxml_tables.c (PROV 1.0).
 */
import { vocabulary } from './vocabulary.js';

const PARM_NAMES_0: ReadonlyArray<readonly [number, string]> = [
  [0x07, 'NAME'], [0x08, 'NAP-ADDRESS'], [0x09, 'NAP-ADDRTYPE'], [0x0a, 'CALLTYPE'], [0x0b, 'VALIDUNTIL'],
  [0x0c, 'AUTHTYPE'], [0x0d, 'AUTHNAME'], [0x0e, 'AUTHSECRET'], [0x0f, 'LINGER'], [0x10, 'BEARER'],
  [0x11, 'NAPID'], [0x12, 'COUNTRY'], [0x13, 'NETWORK'], [0x14, 'INTERNET'], [0x15, 'PROXY-ID'],
  [0x16, 'PROXY-PROVIDER-ID'], [0x17, 'DOMAIN'], [0x18, 'PROVURL'], [0x19, 'PXAUTH-TYPE'], [0x1a, 'PXAUTH-ID'],
  [0x1b, 'PXAUTH-PW'], [0x1c, 'STARTPAGE'], [0x1d, 'BASAUTH-ID'], [0x1e, 'BASAUTH-PW'], [0x1f, 'PUSHENABLED'],
  [0x20, 'PXADDR'], [0x21, 'PXADDRTYPE'], [0x22, 'TO-NAPID'], [0x23, 'PORTNBR'], [0x24, 'SERVICE'],
  [0x25, 'LINKSPEED'], [0x26, 'DNLINKSPEED'], [0x27, 'LOCAL-ADDR'], [0x28, 'LOCAL-ADDRTYPE'], [0x29, 'CONTEXT-ALLOW'],
  [0x2a, 'TRUST'], [0x2b, 'MASTER'], [0x2c, 'SID'], [0x2d, 'SOC'], [0x2e, 'WSP-VERSION'],
  [0x2f, 'PHYSICAL-PROXY-ID'], [0x30, 'CLIENT-ID'], [0x31, 'DELIVERY-ERR-SDU'], [0x32, 'DELIVERY-ORDER'], [0x33, 'TRAFFIC-CLASS'],
  [0x34, 'MAX-SDU-SIZE'], [0x35, 'MAX-BITRATE-UPLINK'], [0x36, 'MAX-BITRATE-DNLINK'], [0x37, 'RESIDUAL-BER'], [0x38, 'SDU-ERROR-RATIO'],
  [0x39, 'TRAFFIC-HANDL-PRIO'], [0x3a, 'TRANSFER-DELAY'], [0x3b, 'GUARANTEED-BITRATE-UPLINK'], [0x3c, 'GUARANTEED-BITRATE-DNLINK'],
  [0x3d, 'PXADDR-FQDN'], [0x3e, 'PROXY-PW'], [0x3f, 'PPGAUTH-TYPE'], [0x47, 'PULLENABLED'], [0x48, 'DNS-ADDR'],
  [0x49, 'MAX-NUM-RETRY'], [0x4a, 'FIRST-RETRY-TIMEOUT'], [0x4b, 'REREG-THRESHOLD'], [0x4c, 'T-BIT'], [0x4e, 'AUTH-ENTITY'], [0x4f, 'SPI'],
];

const PARM_NAMES_1: ReadonlyArray<readonly [number, string]> = [
  [0x07, 'NAME'], [0x14, 'INTERNET'], [0x1c, 'STARTPAGE'], [0x22, 'TO-NAPID'], [0x23, 'PORTNBR'], [0x24, 'SERVICE'],
  [0x2e, 'AACCEPT'], [0x2f, 'AAUTHDATA'], [0x30, 'AAUTHLEVEL'], [0x31, 'AAUTHNAME'], [0x32, 'AAUTHSECRET'], [0x33, 'AAUTHTYPE'],
  [0x34, 'ADDR'], [0x35, 'ADDRTYPE'], [0x36, 'APPID'], [0x37, 'APROTOCOL'], [0x38, 'PROVIDER-ID'], [0x39, 'TO-PROXY'],
  [0x3a, 'URI'], [0x3b, 'RULE'],
];

const TYPES_0: ReadonlyArray<readonly [number, string]> = [
  [0x51, 'PXLOGICAL'], [0x52, 'PXPHYSICAL'], [0x53, 'PORT'], [0x54, 'VALIDITY'], [0x55, 'NAPDEF'], [0x56, 'BOOTSTRAP'],
  [0x57, 'VENDORCONFIG'], [0x58, 'CLIENTIDENTITY'], [0x59, 'PXAUTHINFO'], [0x5a, 'NAPAUTHINFO'], [0x5b, 'ACCESS'],
];

const TYPES_1: ReadonlyArray<readonly [number, string]> = [
  [0x53, 'PORT'], [0x55, 'APPLICATION'], [0x56, 'APPADDR'], [0x57, 'APPAUTH'], [0x58, 'CLIENTIDENTITY'], [0x59, 'RESOURCE'],
];

const VALUES_0: ReadonlyArray<readonly [number, string]> = [
  // ADDRTYPE
  [0x85, 'IPV4'], [0x86, 'IPV6'], [0x87, 'E164'], [0x88, 'ALPHA'], [0x89, 'APN'], [0x8a, 'SCODE'], [0x8b, 'TETRA-ITSI'], [0x8c, 'MAN'],
  [0x8d, 'APPSRV'], [0x8e, 'OBEX'],
  // CALLTYPE
  [0x90, 'ANALOG-MODEM'], [0x91, 'V.120'], [0x92, 'V.110'], [0x93, 'X.31'], [0x94, 'BIT-TRANSPARENT'], [0x95, 'DIRECT-ASYNCHRONOUS-DATA-SERVICE'],
  // AUTHTYPE / PXAUTH-TYPE
  [0x9a, 'PAP'], [0x9b, 'CHAP'], [0x9c, 'HTTP-BASIC'], [0x9d, 'HTTP-DIGEST'], [0x9e, 'WTLS-SS'], [0x9f, 'MD5'],
  // BEARER
  [0xa2, 'GSM-USSD'], [0xa3, 'GSM-SMS'], [0xa4, 'ANSI-136-GUTS'], [0xa5, 'IS-95-CDMA-SMS'], [0xa6, 'IS-95-CDMA-CSD'], [0xa7, 'IS-95-CDMA-PACKET'],
  [0xa8, 'ANSI-136-CSD'], [0xa9, 'ANSI-136-GPRS'], [0xaa, 'GSM-CSD'], [0xab, 'GSM-GPRS'], [0xac, 'AMPS-CDPD'], [0xad, 'PDC-CSD'],
  [0xae, 'PDC-PACKET'], [0xaf, 'IDEN-SMS'], [0xb0, 'IDEN-CSD'], [0xb1, 'IDEN-PACKET'], [0xb2, 'FLEX/REFLEX'], [0xb3, 'PHS-SMS'],
  [0xb4, 'PHS-CSD'], [0xb5, 'TETRA-SDS'], [0xb6, 'TETRA-PACKET'], [0xb7, 'ANSI-136-GHOST'], [0xb8, 'MOBITEX-MPAK'],
  [0xb9, 'CDMA2000-1X-SIMPLE-IP'], [0xba, 'CDMA2000-1X-MOBILE-IP'],
  // LINKSPEED
  [0xc5, 'AUTOBAUDING'],
  // SERVICE
  [0xca, 'CL-WSP'], [0xcb, 'CO-WSP'], [0xcc, 'CL-SEC-WSP'], [0xcd, 'CO-SEC-WSP'], [0xce, 'CL-SEC-WTA'], [0xcf, 'CO-SEC-WTA'],
  [0xd0, 'OTA-HTTP-TO'], [0xd1, 'OTA-HTTP-TLS-TO'], [0xd2, 'OTA-HTTP-PO'], [0xd3, 'OTA-HTTP-TLS-PO'],
  // AUTH-ENTITY
  [0xe0, 'AAA'], [0xe1, 'HA'],
];

const VALUES_1: ReadonlyArray<readonly [number, string]> = [
  [0x86, 'IPV6'], [0x87, 'E164'], [0x88, 'ALPHA'], [0x8d, 'APPSRV'], [0x8e, 'OBEX'],
  // AAUTHTYPE
  [0x90, ','], [0x91, 'HTTP-'], [0x92, 'BASIC'], [0x93, 'DIGEST'],
];

export const PROV = vocabulary({
  name: 'provisioning',
  publicId: 0x0b,
  publicIdText: '-//WAPFORUM//DTD PROV 1.0//EN',
  tags: [
    [0, 0x05, 'wap-provisioningdoc'], [0, 0x06, 'characteristic'], [0, 0x07, 'parm'],
    [1, 0x06, 'characteristic'], [1, 0x07, 'parm'],
  ],
  attributeStarts: [
    [0, 0x45, 'version', ''], [0, 0x46, 'version', '1.0'],
    [0, 0x50, 'type', ''], ...TYPES_0.map(([t, v]) => [0, t, 'type', v] as const),
    [1, 0x50, 'type', ''], ...TYPES_1.map(([t, v]) => [1, t, 'type', v] as const),
    [0, 0x05, 'name', ''], [0, 0x06, 'value', ''], ...PARM_NAMES_0.map(([t, v]) => [0, t, 'name', v] as const),
    [1, 0x05, 'name', ''], [1, 0x06, 'value', ''], ...PARM_NAMES_1.map(([t, v]) => [1, t, 'name', v] as const),
  ],
  attributeValues: [...VALUES_0.map(([t, v]) => [0, t, v] as const), ...VALUES_1.map(([t, v]) => [1, t, v] as const)],
});
