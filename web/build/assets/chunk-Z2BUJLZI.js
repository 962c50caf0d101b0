function n(t){if(!t)return null;let r=String(t).replace(/[\s().-]/g,"");return/^\+?\d{3,20}$/.test(r)?`tel:${r}`:null}export{n as a};
